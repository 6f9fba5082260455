// native/src/signals.h
// Asynchronous signals must not land on a thread while it runs oneDNN 2.6's JIT kernels: measured
// here (Debian libdnnl 2.6, AVX2/AVX-512 kernels; not with DNNL_MAX_CPU_ISA=SSE41), a SIGPROF
// delivered during dnnl_sgemm corrupts the glibc heap ("corrupted size vs. prev_size" in
// oneDNN's own free), even from a plain C++ program with no N-API involved. `node --cpu-prof`
// sends SIGPROF to the main thread every millisecond; Ctrl-C / kernel interrupts send SIGINT.
// So every oneDNN call runs with asynchronous signals blocked on the calling thread (they are
// delivered, in order, when the call returns), and OpenMP workers block them for good, so a
// process-directed signal always goes to a thread outside oneDNN.
#pragma once
#include <signal.h>
#include <pthread.h>
#include <initializer_list>

namespace tsg {

// Every signal except the synchronous ones (faults that must be handled where they occur).
inline const sigset_t& asyncSignals() {
  static const sigset_t set = [] {
    sigset_t s;
    sigfillset(&s);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS}) sigdelset(&s, sig);
    return s;
  }();
  return set;
}

// RAII: asynchronous signals blocked on this thread for the guard's lifetime.
struct SignalGuard {
  sigset_t old;
  SignalGuard() { pthread_sigmask(SIG_BLOCK, &asyncSignals(), &old); }
  ~SignalGuard() { pthread_sigmask(SIG_SETMASK, &old, nullptr); }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;
};

// Block asynchronous signals in every OpenMP worker of the current team size (not the caller).
void blockSignalsInWorkers();

}  // namespace tsg
