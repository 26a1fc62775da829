package dev.ferry.cli;

/** Log level of the daemons: INFO unless {@code FERRY_LOG_LEVEL} says otherwise. */
final class Logging {
  private Logging() {}

  static void infoUnlessConfigured() {
    if (System.getenv("FERRY_LOG_LEVEL") == null
        && org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
            instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(ch.qos.logback.classic.Level.INFO);
    }
  }
}
