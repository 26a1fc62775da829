package dev.ferry.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Catches Ctrl-C (SIGINT) while a migration is watched, so the operator is asked before an abort
 * instead of the watcher just dying. Uses the JDK's {@code sun.misc.Signal} reflectively (it sits
 * in {@code jdk.unsupported}); where that is unavailable, Ctrl-C keeps its default meaning.
 */
final class Interrupts {
  private final AtomicBoolean pending = new AtomicBoolean();
  private final Runnable onSignal;
  private Object previous;
  private boolean installed;

  /**
   * @param onSignal run on the signal's thread at each Ctrl-C, to wake whoever waits
   */
  Interrupts(Runnable onSignal) {
    this.onSignal = onSignal;
  }

  /** Starts catching SIGINT; {@link #takePending()} reports each Ctrl-C once. */
  void install() {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Object sigint = signal.getConstructor(String.class).newInstance("INT");
      InvocationHandler h =
          (Object proxy, Method m, Object[] args) -> {
            if (m.getName().equals("handle")) {
              pending.set(true);
              onSignal.run();
            }
            return null;
          };
      Object handler =
          Proxy.newProxyInstance(handlerType.getClassLoader(), new Class<?>[] {handlerType}, h);
      previous = signal.getMethod("handle", signal, handlerType).invoke(null, sigint, handler);
      installed = true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      installed = false;
    }
  }

  boolean takePending() {
    return pending.getAndSet(false);
  }

  /** Gives SIGINT back its earlier handler. */
  void uninstall() {
    if (!installed) {
      return;
    }
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Object sigint = signal.getConstructor(String.class).newInstance("INT");
      signal.getMethod("handle", signal, handlerType).invoke(null, sigint, previous);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // The process is about to end; the default handler matters no more.
    }
  }
}
