package io.parley.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scripts (Node, Python) run by tests as child processes, Node's with published npm clients
 * installed from a committed {@code package-lock.json}: output goes to temporary files (no pipe
 * to fill up), a running script can be waited on for a line it prints, and one that overruns is
 * killed.
 */
public final class Scripts {

  private static final long NPM_TIMEOUT_SECONDS = 300;

  /** What a finished script did, with a transcript for failure messages. */
  public record Finished(List<String> command, int exitCode, String stdout, String stderr) {
    public String describe() {
      return "$ " + String.join(" ", command.stream().map(Scripts::redact).toList())
        + "\nexit: " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
    }

    /** The last line the script printed. */
    public String lastLine() {
      String[] lines = stdout.strip().split("\\R");
      return lines[lines.length - 1];
    }
  }

  /** A script that is running. */
  public static final class Running implements AutoCloseable {
    private final List<String> command;
    private final Process process;
    private final Path out;
    private final Path err;

    private Running(List<String> command, Process process, Path out, Path err) {
      this.command = command;
      this.process = process;
      this.out = out;
      this.err = err;
    }

    /** Waits until the script printed a line matching {@code line}; fails if it exits or the time is up first. */
    public void awaitLine(Predicate<String> line, long timeoutSeconds) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      while (System.nanoTime() < deadline) {
        if (read(out).lines().anyMatch(line)) {
          return;
        }
        if (!process.isAlive()) {
          throw new AssertionError("the script exited before printing the line\n" + finished(process.exitValue()).describe());
        }
        pause();
      }
      throw new AssertionError("the script did not print the line within " + timeoutSeconds + " s\n" + finished(-1).describe());
    }

    /** Waits for the script to exit; kills it (and fails) after {@code timeoutSeconds}. */
    public Finished awaitExit(long timeoutSeconds) {
      try {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          Finished sofar = finished(-1);
          close();
          throw new AssertionError("timed out after " + timeoutSeconds + " s\n" + sofar.describe());
        }
        return finished(process.exitValue());
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    private Finished finished(int exitCode) {
      return new Finished(command, exitCode, read(out), read(err));
    }

    /** Kills the script if it still runs and removes its output. */
    @Override
    public void close() {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      try {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      } catch (InterruptedException | IOException e) {
        throw new AssertionError(e);
      }
    }

    private static void pause() {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** Starts {@code command} in {@code dir}. */
  public static Running start(Path dir, List<String> command) {
    try {
      Path out = Files.createTempFile("parley-script", ".out");
      Path err = Files.createTempFile("parley-script", ".err");
      Process process = new ProcessBuilder(command).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE)
        .start();
      process.getOutputStream().close();
      return new Running(command, process, out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code command} in {@code dir} to its end, killed after the timeout. */
  public static Finished run(Path dir, long timeoutSeconds, List<String> command) {
    try (Running running = start(dir, command)) {
      return running.awaitExit(timeoutSeconds);
    }
  }

  /** Installs {@code dir}'s locked packages with {@code npm ci} unless {@code marker} (under dir) is there; a failed install fails the test. */
  public static void ensureInstalled(Path dir, String... markers) {
    boolean installed = java.util.Arrays.stream(markers).allMatch(marker -> Files.isRegularFile(dir.resolve(marker)));
    if (!installed) {
      Finished npm = run(dir, NPM_TIMEOUT_SECONDS, List.of(executable("npm"), "ci", "--no-audit", "--no-fund"));
      assertThat(npm.exitCode()).as("npm ci in %s failed\n%s", dir, npm.describe()).isZero();
    }
  }

  /** The repository root: the nearest directory up from here holding {@code relative}. */
  public static Path repositoryRoot(String relative) {
    Path start = Paths.get("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(relative)) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new AssertionError("no directory holding " + relative + " found above " + start);
  }

  public static String node() {
    return System.getProperty("parley.node", executable("node"));
  }

  private static String executable(String name) {
    return System.getProperty("os.name", "").toLowerCase().startsWith("windows") && name.equals("npm") ? "npm.cmd" : name;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Tokens and keys are long and useless in a failure message. */
  private static String redact(String arg) {
    return arg.startsWith("eyJ") ? "<token>" : arg;
  }

  private Scripts() {
  }
}
