// <assert.h>
#ifdef __cplusplus
extern "C" {
#endif

__attribute__((noreturn)) void __mica_assert_fail(const char* expression, const char* file,
                                                  int line, const char* function);

#ifdef __cplusplus
}
#endif

#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) ((e) ? (void)0 : __mica_assert_fail(#e, __FILE__, __LINE__, __func__))
#endif

#if !defined(__cplusplus) && !defined(static_assert)
#define static_assert _Static_assert
#endif
