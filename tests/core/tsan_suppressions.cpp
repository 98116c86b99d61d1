// Linked into the core tests only in the ThreadSanitizer build.
//
// Qt Test runs a watchdog thread ("QtTest Watchdog") that the test's main thread wakes,
// joins and deletes through Qt's own futex-based QMutex/QWaitCondition/QThread::wait,
// which TSan cannot see (Qt is not instrumented). It then reports the watchdog's
// teardown as races. The tests start no Qt threads and synchronise only through std::
// primitives (libstdc++ and pthreads, fully intercepted), so ignoring what the two Qt
// libraries call leaves every report about our code in place.
extern "C" const char *__tsan_default_suppressions();
extern "C" const char *__tsan_default_suppressions()
{
    return "called_from_lib:libQt6Core.so.6\n"
           "called_from_lib:libQt6Test.so.6\n";
}
