package io.apisec.standalone;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;

/**
 * Binds {@code SIGHUP} and {@code SIGTERM} to actions through {@code sun.misc.Signal} (module
 * jdk.unsupported). The class is reached reflectively only because javac's mandatory
 * "internal proprietary API" warning cannot be suppressed under {@code -Werror}; behaviour is the
 * same. Where signals are unavailable (Windows, a restricted runtime) binding reports false.
 */
final class Signals {
  private Signals() {}

  /** Runs {@code action} on a new thread whenever the process receives {@code name} (HUP, TERM). */
  static boolean on(String name, Runnable action) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object signal = signalClass.getConstructor(String.class).newInstance(name);
      InvocationHandler invocation = (proxy, method, args) -> {
        if (method.getName().equals("handle")) {
          // signal handlers run on a JVM thread that must not block: hand the work on
          Thread worker = new Thread(action, "apisec-signal-" + name.toLowerCase(java.util.Locale.ROOT));
          worker.start();
          return null;
        }
        if (method.getName().equals("toString")) {
          return "apisec handler for SIG" + name;
        }
        if (method.getName().equals("hashCode")) {
          return System.identityHashCode(proxy);
        }
        if (method.getName().equals("equals")) {
          return proxy == args[0];
        }
        return null;
      };
      Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerClass}, invocation);
      signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
      return true;
    } catch (ReflectiveOperationException | IllegalArgumentException | LinkageError e) {
      return false;
    }
  }
}
