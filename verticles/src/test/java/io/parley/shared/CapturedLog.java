package io.parley.shared;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The records a logger (and the loggers below it) writes while this is open: what an operator
 * would read. SLF4J reaches java.util.logging in the tests, so the Parley code's lines arrive
 * here formatted, with their exception.
 */
public final class CapturedLog extends Handler implements AutoCloseable {

  private final Logger logger;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  private CapturedLog(Logger logger) {
    this.logger = logger;
  }

  /** Captures what {@code loggerName} writes; {@code ""} is the root logger: everything. */
  public static CapturedLog of(String loggerName) {
    CapturedLog log = new CapturedLog(Logger.getLogger(loggerName));
    log.logger.addHandler(log);
    return log;
  }

  public List<LogRecord> records() {
    return List.copyOf(records);
  }

  public List<String> messages() {
    return records.stream().map(LogRecord::getMessage).toList();
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {
  }

  /** Stops capturing; what was captured stays readable. */
  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
