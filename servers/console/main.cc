// The console server: a user-space serial driver with a tty line
// discipline (line_discipline.h), serving MICA_CONSOLE_* (<mica/protocol.h>)
// on its endpoint, registered with the router as MICA_SERVICE_CONSOLE.
//
//   console [selftest] uart=16550 port=0x3f8 irq=4         (PC COM1)
//   console [selftest] uart=pl011 mmio=0x3f201000 irq=57   (Raspberry Pi 3)
//   ... uart=16550 port=0x3f8 irq=4 keyboard=i8042 vga=0xb8000   (PC with a screen)
//
// It claims the UART with the hardware resource it was started with: its
// interrupt (receive, and transmit while output waits) arrives as
// MICA_LABEL_IRQ messages on the endpoint. Output goes through a ring the
// transmit interrupt empties (output.h); a write that does not fit is held,
// its caller waiting for the answer, until the ring has drained. On a PC
// it also reads the PS/2 keyboard (IRQ 1, into the same line discipline)
// and shows everything it shows on the serial port in VGA text mode too
// (pc_console.h). `selftest` reads one line through the line discipline as
// a client would, shows it and exits, without the router.
//
// Its own messages go to the kernel log (mica_debug_write), not through
// stdout: libc's stdout may one day be the console itself.
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <new>

#include <errno.h>
#include <mica/calls.h>
#include <mica/protocol.h>
#include <mica/startup.h>
#include <mica/thread.h>

#include "arguments.h"
#include "framebuffer_text.h"
#include "line_discipline.h"
#include "output.h"
#include "pc_console.h"
#include "scan_code.h"
#include "uart.h"

namespace console {
namespace {

static_assert(LineDiscipline::kModeRaw == MICA_CONSOLE_MODE_RAW);
static_assert(LineDiscipline::kModeNoEcho == MICA_CONSOLE_MODE_NO_ECHO);

// IRQ messages queue here (at most one per IRQ: the line stays masked until
// acknowledged), and the watchdog's check (one at most); calls do not take
// queue space.
constexpr uint32_t kEndpointCapacity = 4;
constexpr uintptr_t kIrqTag = 0x636f6e73;          // "cons"
constexpr uintptr_t kKeyboardIrqTag = 0x6b626420;  // "kbd "
// The exit code of a process killed by ^C (128 + SIGINT).
constexpr int kInterruptExitCode = 130;
// The reader id of selftest's own read: 0 is never a handle.
constexpr uint32_t kSelfTestReader = MICA_HANDLE_INVALID;
// A sanity bound on one interrupt's drain (a UART that never runs dry).
constexpr size_t kDrainMax = 65536;
// A sanity bound on the causes one interrupt reads (each clears one).
constexpr int kCausesMax = 8;
// With output waiting and no interrupt for this long, the transmitter is
// looked at anyway: a lost transmit interrupt stalls output only so long.
constexpr uint64_t kTransmitStallNs = 50'000'000;
// The watchdog thread's message: time to look at the transmitter.
constexpr uintptr_t kLabelTransmitCheck = 0x74786368;  // "txch"

// Payloads of requests (WRITE data): as large as the kernel copies.
alignas(16) char g_payload[65536];

constexpr auto log = mica_debug_printf;

bool has_type(mica_handle_t handle, uint32_t type, uint32_t rights) {
  mica_handle_info info;
  return mica_handle_info(handle, &info) == 0 && info.type == type &&
         (info.rights & rights) == rights;
}

void close_if_valid(mica_handle_t handle) {
  if (handle != MICA_HANDLE_INVALID) (void)mica_handle_close(handle);
}

// Replies to the call in hand (words[0] = result); a message that was not
// a call has nobody to answer, which is fine.
void reply_now(intptr_t result) {
  mica_message reply = {};
  reply.words[0] = static_cast<uintptr_t>(result);
  (void)mica_ipc_reply_message(&reply);
}

// Answers a deferred call (closing `reply`); false if its caller is gone.
bool answer(mica_handle_t reply, intptr_t result, const void* data = nullptr, size_t size = 0) {
  mica_message message = {};
  message.words[0] = static_cast<uintptr_t>(result);
  message.data = data;
  message.data_size = size;
  return mica_ipc_reply_to(reply, &message) == 0;
}

// The transmit watchdog, a thread of its own: for each message on its
// endpoint, sleeps kTransmitStallNs, then sends kLabelTransmitCheck to the
// server's. (Not a mica_wait_many with a timeout in the server's loop: a
// waiter there woken from another CPU waits for that CPU's next tick, which
// on SMP cost every transmit interrupt up to 10 ms.)
struct Watchdog {
  mica_handle_t own;
  mica_handle_t server;
};

void watchdog_main(void* argument) {
  auto* watchdog = static_cast<Watchdog*>(argument);
  for (;;) {
    mica_message arm = {};
    if (mica_ipc_receive(watchdog->own, &arm, 0) != 0) return;
    mica_message check = {};
    check.label = kLabelTransmitCheck;
    do {
      (void)mica_sleep(kTransmitStallNs);
    } while (mica_ipc_send(watchdog->server, &check, MICA_NONBLOCK) == -EAGAIN);
  }
}

// The PC's own keyboard and screen, where the board has them.
struct LocalConsole {
  FramebufferText* framebuffer = nullptr;
#if MICA_HAS_PORT_IO
  I8042* keyboard = nullptr;
  mica_handle_t keyboard_irq = MICA_HANDLE_INVALID;
  VgaText* vga = nullptr;
#endif
};

class Server final : public LineDiscipline::Sink, public Output::Client {
 public:
  Server(Uart& uart, mica_handle_t endpoint, mica_handle_t irq, const LocalConsole& local)
      : uart_(uart),
        endpoint_(endpoint),
        irq_(irq),
        local_(local),
        discipline_(*this),
        output_(uart, *this) {}

  // selftest: queues a read of one line of its own, which ends serve().
  void start_self_test() {
    static constexpr char kPrompt[] = "console: type a line\n";
    discipline_.write(kPrompt, sizeof(kPrompt) - 1);
    self_test_ = true;
    (void)discipline_.add_reader(kSelfTestReader, LineDiscipline::kLineMax);
  }

  // The watchdog's endpoint (watchdog_main), once it runs.
  void set_watchdog(mica_handle_t endpoint) { watchdog_ = endpoint; }

  // Serves until the self test is done (forever without one). Returns the
  // exit code.
  int serve();

  // LineDiscipline::Sink.
  void terminal_write(const char* bytes, size_t length) override {
    (void)output_.put(bytes, length);
    if (local_.framebuffer != nullptr) local_.framebuffer->write(bytes, length);
#if MICA_HAS_PORT_IO
    if (local_.vga != nullptr) local_.vga->write(bytes, length);
#endif
  }
  bool complete_read(uint32_t reader, const char* bytes, size_t length) override;
  void interrupt() override;

  // Output::Client.
  size_t show(const char* bytes, size_t length, size_t room) override {
    return discipline_.write_fitting(bytes, length, room);
  }
  void write_done(uint32_t writer, size_t written) override {
    (void)answer(writer, static_cast<intptr_t>(written));
  }

 private:
  // Has the watchdog send a check in kTransmitStallNs, if it is not due
  // to already.
  void arm_watchdog();
  // The watchdog's check: no transmit interrupt since it was armed, and
  // output waits.
  void on_transmit_check();
  void drain();
  void on_irq();
  void drain_keyboard();
  void on_keyboard_irq();
  // Kills the foreground processes (^C) and forgets them.
  void kill_foreground();
  void on_call(mica_message& message);
  void on_read(mica_message& message);
  void on_write(mica_message& message);
  void on_set_mode(mica_message& message);
  void on_set_foreground(mica_message& message);

  Uart& uart_;
  mica_handle_t endpoint_;
  mica_handle_t irq_;
  [[maybe_unused]] LocalConsole local_;  // empty without I/O ports
  ScanCodeDecoder scan_codes_;
  // The foreground: the processes (a pipeline) ^C kills.
  static constexpr size_t kForegroundMax = 16;
  mica_handle_t foreground_[kForegroundMax];
  size_t foreground_count_ = 0;
  // A ^C came while no program was in the foreground and nobody read: the
  // shell had a line and was starting its programs, which it kills as they
  // become the foreground (until the shell clears it or reads again).
  bool interrupt_pending_ = false;
  LineDiscipline discipline_;
  Output output_;
  mica_handle_t watchdog_ = MICA_HANDLE_INVALID;
  bool watchdog_armed_ = false;
  uint32_t self_id_ = static_cast<uint32_t>(mica_get_id(MICA_HANDLE_SELF));
  // UART interrupts, and their count when the watchdog was armed.
  uint64_t uart_interrupts_ = 0;
  uint64_t uart_interrupts_armed_ = 0;
  // Times the transmitter had room and bytes waited, and no interrupt came.
  uint64_t transmit_stalls_ = 0;

  bool self_test_ = false;
  bool self_test_done_ = false;
  size_t self_test_length_ = 0;
  char self_test_line_[LineDiscipline::kLineMax];
};

int Server::serve() {
  // Bytes typed before the interrupts were on.
  drain();
#if MICA_HAS_PORT_IO
  if (local_.keyboard != nullptr) drain_keyboard();
#endif
  while (!self_test_done_) {
    // Whatever the last event queued (echo, output, a held write's turn),
    // and what the transmitter has room for whatever interrupt it missed.
    if (output_.pending()) {
      (void)output_.refill();
      if (output_.pending()) arm_watchdog();
    }
    mica_message message = {};
    message.buffer = g_payload;
    message.buffer_size = sizeof(g_payload);
    int r = mica_ipc_receive(endpoint_, &message, 0);
    if (r != 0) {
      log("console: receive: %s\n", strerror(-r));
      return 1;
    }
    if (message.label == kLabelTransmitCheck && message.sender == self_id_) {
      on_transmit_check();
    } else if (message.label == MICA_LABEL_IRQ && message.sender == 0) {
      // From the kernel, not a call: which device is in the tag.
      if (message.words[1] == kKeyboardIrqTag) {
        on_keyboard_irq();
      } else {
        on_irq();
      }
    } else {
      on_call(message);
    }
  }
  if (self_test_length_ == 0) {
    log("console: got end of file\n");
    return 1;
  }
  if (self_test_line_[self_test_length_ - 1] == '\n') --self_test_length_;
  log("console: got '%.*s'\n", static_cast<int>(self_test_length_), self_test_line_);
  return 0;
}

void Server::arm_watchdog() {
  if (watchdog_armed_ || watchdog_ == MICA_HANDLE_INVALID) return;
  mica_message arm = {};
  if (mica_ipc_send(watchdog_, &arm, MICA_NONBLOCK) != 0) return;
  watchdog_armed_ = true;
  uart_interrupts_armed_ = uart_interrupts_;
}

void Server::on_transmit_check() {
  watchdog_armed_ = false;
  if (!output_.pending() || uart_interrupts_ != uart_interrupts_armed_) return;
  if (output_.refill() == 0) return;  // no room: not the interrupt's fault
  // The transmitter had room, bytes waited, and no interrupt said so.
  ++transmit_stalls_;
  if ((transmit_stalls_ & (transmit_stalls_ - 1)) == 0) {
    log("console: transmit interrupt missing (%llu times): output restarted\n",
        static_cast<unsigned long long>(transmit_stalls_));
  }
}

void Server::drain() {
  char byte;
  for (size_t n = 0; n < kDrainMax && uart_.read(&byte); ++n) discipline_.input(byte);
}

// The UART's interrupt: the receiver drained, the transmitter left to the
// refill that follows every event (serve()), which reads its status itself
// (the kernel's polled writes may have taken a transmit interrupt's cause
// away, or brought one without it).
void Server::on_irq() {
  ++uart_interrupts_;
  for (int i = 0; i < kCausesMax; ++i) {
    unsigned causes = uart_.interrupt_causes();
    if (causes == 0) break;
    if ((causes & Uart::kCauseReceive) != 0) drain();
  }
  uart_.end_of_interrupt();
  (void)mica_irq_ack(irq_);
  // A byte that came between the drain and the acknowledgment may have
  // raised its (edge-triggered) line while it was masked: take it now.
  drain();
}

void Server::drain_keyboard() {
#if MICA_HAS_PORT_IO
  uint8_t code;
  for (size_t n = 0; n < kDrainMax && local_.keyboard->read(&code); ++n) {
    char c;
    if (scan_codes_.decode(code, &c)) discipline_.input(c);
  }
#endif
}

void Server::on_keyboard_irq() {
#if MICA_HAS_PORT_IO
  if (local_.keyboard == nullptr) return;
  drain_keyboard();
  (void)mica_irq_ack(local_.keyboard_irq);
  drain_keyboard();  // as on_irq: a byte between the drain and the ack
#endif
}

void Server::on_call(mica_message& message) {
  switch (message.label) {
    case MICA_CONSOLE_READ:
      on_read(message);
      break;
    case MICA_CONSOLE_WRITE:
      on_write(message);
      break;
    case MICA_CONSOLE_SET_MODE:
      on_set_mode(message);
      break;
    case MICA_CONSOLE_SET_FOREGROUND:
      on_set_foreground(message);
      break;
    case MICA_CONSOLE_POLL:
      close_if_valid(message.handle);
      reply_now(discipline_.readable() ? 1 : 0);
      break;
    default:
      close_if_valid(message.handle);
      reply_now(-ENOSYS);
      break;
  }
}

// READ: words[0] the most bytes wanted. From a client the call waits
// (deferred) until input is ready; from the VFS, message.handle is the
// client's reply, answered when input is ready, and the VFS goes on at
// once.
void Server::on_read(mica_message& message) {
  size_t max = message.words[0];
  mica_handle_t reply;
  if (message.handle != MICA_HANDLE_INVALID) {
    if (!has_type(message.handle, MICA_OBJECT_REPLY, MICA_RIGHT_WRITE)) {
      close_if_valid(message.handle);
      reply_now(-EINVAL);
      return;
    }
    reply = message.handle;
    reply_now(0);
  } else if (mica_ipc_reply_defer(&reply) != 0) {
    return;  // not a call: nobody waits for the bytes
  }
  // Whoever reads is past the line a pending ^C was for.
  interrupt_pending_ = false;
  if (max == 0) {
    (void)answer(reply, 0);
  } else if (!discipline_.add_reader(reply, max)) {
    (void)answer(reply, -EAGAIN);  // kReaderMax reads wait already
  }
}

// WRITE: the payload to the terminal -> words[0] its length. With a reply
// handle (from the VFS), that handle gets the result and the VFS 0.
// What does not fit in the output ring is held, and its answer with it:
// the writer waits until the ring has drained (the VFS does not).
void Server::on_write(mica_message& message) {
  size_t length = message.data_size;
  if (message.handle != MICA_HANDLE_INVALID &&
      !has_type(message.handle, MICA_OBJECT_REPLY, MICA_RIGHT_WRITE)) {
    close_if_valid(message.handle);
    reply_now(-EINVAL);
    return;
  }
  size_t taken = output_.write(g_payload, length);
  if (taken == length) {
    if (message.handle != MICA_HANDLE_INVALID) {
      (void)answer(message.handle, static_cast<intptr_t>(length));
      reply_now(0);
    } else {
      reply_now(static_cast<intptr_t>(length));
    }
    return;
  }
  mica_handle_t reply = message.handle;
  if (reply != MICA_HANDLE_INVALID) {
    reply_now(0);
  } else if (mica_ipc_reply_defer(&reply) != 0) {
    reply = MICA_HANDLE_INVALID;  // not a call: nobody waits, the bytes still show
  }
  if (!output_.hold(reply, g_payload + taken, length - taken, length)) {
    // kWritersMax held already, or no memory: a short write.
    (void)answer(reply, taken != 0 ? static_cast<intptr_t>(taken) : -EAGAIN);
  }
}

void Server::on_set_mode(mica_message& message) {
  close_if_valid(message.handle);
  uintptr_t mode = message.words[0];
  bool ok = mode <= LineDiscipline::kModeMask && discipline_.set_mode(static_cast<uint32_t>(mode));
  reply_now(ok ? 0 : -EINVAL);
}

// SET_FOREGROUND: handle a process ^C kills (MANAGE right), or none to
// clear the foreground. words[0] MICA_CONSOLE_FOREGROUND_ADD adds it to the
// foreground (the next stage of a pipeline) instead of replacing it.
void Server::on_set_foreground(mica_message& message) {
  mica_handle_t process = message.handle;
  uintptr_t flags = message.words[0];
  if ((flags & ~uintptr_t{MICA_CONSOLE_FOREGROUND_ADD}) != 0) {
    close_if_valid(process);
    reply_now(-EINVAL);
    return;
  }
  if (process != MICA_HANDLE_INVALID) {
    mica_handle_info info;
    if (mica_handle_info(process, &info) != 0 || info.type != MICA_OBJECT_PROCESS) {
      close_if_valid(process);
      reply_now(-EINVAL);
      return;
    }
    if ((info.rights & MICA_RIGHT_MANAGE) == 0) {
      close_if_valid(process);
      reply_now(-EPERM);
      return;
    }
  }
  bool add = (flags & MICA_CONSOLE_FOREGROUND_ADD) != 0;
  if (!add || process == MICA_HANDLE_INVALID) {
    for (size_t i = 0; i < foreground_count_; ++i) close_if_valid(foreground_[i]);
    foreground_count_ = 0;
  }
  if (process == MICA_HANDLE_INVALID) {
    interrupt_pending_ = false;  // the shell is done with that line
    reply_now(0);
    return;
  }
  if (foreground_count_ == kForegroundMax) {
    close_if_valid(process);
    reply_now(-ENOSPC);
    return;
  }
  foreground_[foreground_count_++] = process;
  reply_now(0);
  if (interrupt_pending_) kill_foreground();
}

bool Server::complete_read(uint32_t reader, const char* bytes, size_t length) {
  if (self_test_ && reader == kSelfTestReader) {
    memcpy(self_test_line_, bytes, length);
    self_test_length_ = length;
    self_test_done_ = true;
    return true;
  }
  return answer(reader, static_cast<intptr_t>(length), bytes, length);
}

void Server::interrupt() {
  // As a tty flushes its output on ^C: what held writes have not shown.
  output_.discard_writers();
  if (foreground_count_ == 0) {
    // Nobody to kill yet. If nobody reads either, the shell has just taken
    // a line and is starting it: the ^C is for what it starts.
    interrupt_pending_ = discipline_.pending_readers() == 0;
    return;
  }
  kill_foreground();
}

void Server::kill_foreground() {
  for (size_t i = 0; i < foreground_count_; ++i) {
    int r = mica_process_kill(foreground_[i], kInterruptExitCode);
    if (r != 0 && r != -ESRCH) log("console: ^C: cannot kill the foreground: %s\n", strerror(-r));
    // It is gone (or going): the next foreground is the shell's to set.
    close_if_valid(foreground_[i]);
  }
  foreground_count_ = 0;
}

// Maps the `size` bytes of device memory at `physical` (`what` for
// messages) somewhere free; returns the address of `physical`, or 0.
uintptr_t map_device(mica_handle_t resource, uint64_t physical, const char* what,
                     uint64_t size = 1) {
  uint64_t page = physical & ~uint64_t{MICA_PAGE_SIZE - 1};
  size_t length = static_cast<size_t>((physical + size - page + MICA_PAGE_SIZE - 1) &
                                      ~uint64_t{MICA_PAGE_SIZE - 1});
  // Let the kernel pick a free address, then put the device there instead.
  uintptr_t address;
  int r = mica_vm_allocate(MICA_HANDLE_SELF, 0, length, MICA_PROT_READ, 0, &address);
  if (r == 0) r = mica_vm_free(MICA_HANDLE_SELF, address, length);
  if (r == 0) r = mica_mmio_map(resource, page, length, address, &address);
  if (r != 0) {
    log("console: cannot map the %s at %#llx: %s\n", what,
        static_cast<unsigned long long>(physical), strerror(-r));
    return 0;
  }
  return address + static_cast<uintptr_t>(physical - page);
}

// Starts the transmit watchdog for `server`, whose endpoint is `endpoint`;
// without it (a message logged) only events restart a stalled output.
void start_watchdog(mica_handle_t endpoint, Server* server) {
  auto* watchdog = new (std::nothrow) Watchdog{MICA_HANDLE_INVALID, endpoint};
  if (watchdog == nullptr) {
    log("console: out of memory (no transmit watchdog)\n");
    return;
  }
  int r = mica_endpoint_create(1, &watchdog->own);
  mica_thread_t thread;
  if (r == 0) r = mica_thread_spawn(watchdog_main, watchdog, 16 * 1024, &thread);
  if (r != 0) {
    log("console: no transmit watchdog: %s\n", strerror(-r));
    close_if_valid(watchdog->own);
    delete watchdog;
    return;
  }
  server->set_watchdog(watchdog->own);
}

// Registers the endpoint with the router as MICA_SERVICE_CONSOLE.
bool register_service(mica_handle_t router, mica_handle_t endpoint) {
  mica_handle_t copy;
  int r = mica_handle_duplicate(
      endpoint, MICA_RIGHT_WRITE | MICA_RIGHT_TRANSFER | MICA_RIGHT_DUPLICATE, &copy);
  if (r != 0) {
    log("console: cannot duplicate the endpoint: %s\n", strerror(-r));
    return false;
  }
  mica_message message = {};
  message.label = MICA_ROUTER_REGISTER;
  message.handle = copy;
  message.data = MICA_SERVICE_CONSOLE;
  message.data_size = strlen(MICA_SERVICE_CONSOLE);
  r = mica_ipc_call_message(router, &message);
  if (r == 0 && static_cast<intptr_t>(message.words[0]) < 0) {
    r = static_cast<int>(static_cast<intptr_t>(message.words[0]));
  }
  if (r != 0) {
    log("console: cannot register as '%s': %s\n", MICA_SERVICE_CONSOLE, strerror(-r));
    return false;
  }
  return true;
}

// The boot framebuffer of `arguments` as a text console; false (a message
// logged) if it cannot be had or drawn on.
bool start_framebuffer(mica_handle_t resource, const Arguments& arguments, LocalConsole* local) {
  FramebufferText::Geometry g{arguments.fb_width, arguments.fb_height, arguments.fb_pitch,
                              arguments.fb_bpp};
  if (!FramebufferText::supported(g)) {
    log("console: cannot draw on a %ux%u framebuffer of %u bpp\n", g.width, g.height, g.bpp);
    return false;
  }
  uintptr_t address =
      map_device(resource, arguments.fb_address, "framebuffer", uint64_t{g.pitch} * g.height);
  if (address == 0) return false;
  auto* pixels = reinterpret_cast<volatile uint8_t*>(address);
  local->framebuffer = new (std::nothrow) FramebufferText(pixels, g);
  if (local->framebuffer == nullptr) {
    log("console: out of memory\n");
    return false;
  }
  local->framebuffer->reset();
  return true;
}

#if MICA_HAS_PORT_IO
// The PS/2 keyboard, its interrupt on `endpoint`; false (a message logged)
// if there is none or it cannot be had: the serial console goes on alone.
bool start_keyboard(mica_handle_t resource, mica_handle_t endpoint, LocalConsole* local) {
  int r = mica_ioport_allow(resource, I8042::kDataPort, 1);
  if (r == 0) r = mica_ioport_allow(resource, I8042::kStatusPort, 1);
  if (r != 0) {
    log("console: cannot claim the i8042's ports: %s\n", strerror(-r));
    return false;
  }
  auto* keyboard = new (std::nothrow) I8042;
  if (keyboard == nullptr) {
    log("console: out of memory\n");
    return false;
  }
  if (!keyboard->present()) {
    log("console: no i8042 keyboard controller\n");
    delete keyboard;
    return false;
  }
  r = mica_irq_create(resource, I8042::kIrq, endpoint, kKeyboardIrqTag, &local->keyboard_irq);
  if (r != 0) {
    log("console: cannot claim irq %u (keyboard): %s\n", I8042::kIrq, strerror(-r));
    delete keyboard;
    return false;
  }
  if (!keyboard->enable_keyboard()) {
    log("console: the i8042 does not take commands: no keyboard\n");
    (void)mica_handle_close(local->keyboard_irq);
    local->keyboard_irq = MICA_HANDLE_INVALID;
    delete keyboard;
    return false;
  }
  local->keyboard = keyboard;
  return true;
}

// The VGA text console at `physical`; false (a message logged) if the
// screen is not in text mode (a UEFI framebuffer) or cannot be had.
bool start_vga(mica_handle_t resource, uint64_t physical, LocalConsole* local) {
  // The CRT controller's and the graphics controller's index/data ports.
  int r = mica_ioport_allow(resource, 0x3d4, 2);
  if (r == 0) r = mica_ioport_allow(resource, 0x3ce, 2);
  if (r != 0) {
    log("console: cannot claim the VGA's ports: %s\n", strerror(-r));
    return false;
  }
  if (!VgaText::in_text_mode()) {
    log("console: the VGA is in a graphics mode (UEFI?): no text console\n");
    return false;
  }
  uintptr_t buffer = map_device(resource, physical, "VGA text buffer");
  if (buffer == 0) return false;
  local->vga = new (std::nothrow) VgaText(reinterpret_cast<volatile uint16_t*>(buffer));
  if (local->vga == nullptr) {
    log("console: out of memory\n");
    return false;
  }
  local->vga->reset();
  return true;
}
#endif

int run(const Arguments& arguments) {
  mica_handle_t resource = mica_startup_handle(MICA_STARTUP_RESOURCE);
  if (resource == MICA_HANDLE_INVALID) {
    log("console: started without a hardware resource handle\n");
    return 1;
  }

  // Claim the registers.
  Uart* uart = nullptr;
  char where[64];
  if (arguments.uart == UartKind::k16550) {
#if MICA_HAS_PORT_IO
    int r = mica_ioport_allow(resource, arguments.port, 8);
    if (r != 0) {
      log("console: cannot claim ports %#x-%#x: %s\n", arguments.port, arguments.port + 7,
          strerror(-r));
      return 1;
    }
    auto* uart16550 = new (std::nothrow) Uart16550(static_cast<uint16_t>(arguments.port));
    if (uart16550 != nullptr && !uart16550->present()) {
      log("console: no 16550 at port %#x\n", arguments.port);
      return 1;
    }
    uart = uart16550;
    snprintf(where, sizeof(where), "16550 at %#x", arguments.port);
#else
    log("console: uart=16550 needs x86 I/O ports\n");
    return 2;
#endif
  } else {
    uintptr_t registers = map_device(resource, arguments.mmio, "PL011");
    if (registers == 0) return 1;
    uart = new (std::nothrow) Pl011(reinterpret_cast<volatile uint32_t*>(registers));
    snprintf(where, sizeof(where), "pl011 at %#llx",
             static_cast<unsigned long long>(arguments.mmio));
  }
  if (uart == nullptr) {
    log("console: out of memory\n");
    return 1;
  }

  // The receive interrupt, as messages on the endpoint.
  mica_handle_t endpoint;
  int r = mica_endpoint_create(kEndpointCapacity, &endpoint);
  if (r != 0) {
    log("console: cannot create an endpoint: %s\n", strerror(-r));
    return 1;
  }
  mica_handle_t irq;
  r = mica_irq_create(resource, arguments.irq, endpoint, kIrqTag, &irq);
  if (r != 0) {
    log("console: cannot claim irq %u: %s\n", arguments.irq, strerror(-r));
    return 1;
  }
  uart->enable_receive_interrupt();

  LocalConsole local;
  char also[64] = "";
  bool vga = false;
#if MICA_HAS_PORT_IO
  if (arguments.keyboard && start_keyboard(resource, endpoint, &local)) {
    strcat(also, ", keyboard");
  }
  vga = arguments.vga != 0 && start_vga(resource, arguments.vga, &local);
  if (vga) strcat(also, ", vga text");
#else
  if (arguments.keyboard || arguments.vga != 0) {
    log("console: keyboard= and vga= need x86 I/O ports\n");
    return 2;
  }
#endif
  // Where there is no VGA text (a UEFI machine), the framebuffer.
  if (!vga && arguments.fb_address != 0 && start_framebuffer(resource, arguments, &local)) {
    snprintf(also + strlen(also), sizeof(also) - strlen(also), ", framebuffer %ux%u",
             arguments.fb_width, arguments.fb_height);
  }
  log("console: %s irq %u%s%s\n", where, arguments.irq, also,
      arguments.selftest ? ", self test" : "");

  auto* server = new (std::nothrow) Server(*uart, endpoint, irq, local);
  if (server == nullptr) {
    log("console: out of memory\n");
    return 1;
  }
  start_watchdog(endpoint, server);
  if (arguments.selftest) {
    server->start_self_test();
  } else if (mica_handle_t router = mica_startup_handle(MICA_STARTUP_ROUTER);
             router != MICA_HANDLE_INVALID) {
    if (!register_service(router, endpoint)) return 1;
  }
  return server->serve();
}

}  // namespace
}  // namespace console

int main(int argc, char** argv) {
  console::Arguments arguments;
  char error[160];
  if (!console::parse_arguments(argc, argv, &arguments, error, sizeof(error))) {
    console::log("console: %s\n%s", error, console::kUsage);
    return 2;
  }
  return console::run(arguments);
}
