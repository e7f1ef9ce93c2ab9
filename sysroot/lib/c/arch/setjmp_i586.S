// setjmp/longjmp for i586 (cdecl): jmp_buf = ebx esi edi ebp esp eip.
  .text
  .globl setjmp
  .type setjmp, @function
setjmp:
  mov 4(%esp), %eax
  mov %ebx, 0(%eax)
  mov %esi, 4(%eax)
  mov %edi, 8(%eax)
  mov %ebp, 12(%eax)
  lea 4(%esp), %ecx        // the caller's esp after our return
  mov %ecx, 16(%eax)
  mov (%esp), %ecx         // our return address
  mov %ecx, 20(%eax)
  xor %eax, %eax
  ret
  .size setjmp, . - setjmp

  .globl longjmp
  .type longjmp, @function
longjmp:
  mov 4(%esp), %edx
  mov 8(%esp), %eax
  test %eax, %eax
  jnz 1f
  inc %eax                 // longjmp(env, 0) makes setjmp return 1
1:
  mov 0(%edx), %ebx
  mov 4(%edx), %esi
  mov 8(%edx), %edi
  mov 12(%edx), %ebp
  mov 16(%edx), %esp
  jmp *20(%edx)
  .size longjmp, . - longjmp

  .section .note.GNU-stack, "", @progbits
