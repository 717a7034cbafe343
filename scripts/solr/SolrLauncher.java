/*
 * Minimal launcher for a real Apache Solr 9 node used by the test suite.
 *
 * Run with Java's single-file source mode (JEP 330), no separate compile step:
 *
 *   java -cp '<lib>/*' scripts/solr/SolrLauncher.java <solrHome> <port>
 *
 * where <lib> holds the jars resolved by scripts/solr/pom.xml
 * (org.apache.solr:solr-test-framework + slf4j-simple). The in-memory compile
 * costs roughly a second or two on each start, which is small next to Solr's own
 * startup, so no class directory is kept around. Normally started and stopped by
 * scripts/services/solr.sh.
 *
 * It starts org.apache.solr.embedded.JettySolrRunner (Jetty 10, javax.servlet)
 * on 127.0.0.1:<port> (the runner hard-binds its connector to 127.0.0.1) with
 * context /solr and the given solr home (which must contain solr.xml and the core
 * directories), then blocks until the JVM is asked to stop (SIGTERM / SIGINT),
 * where a shutdown hook stops Jetty and with it the CoreContainer, so the index
 * and transaction log are closed cleanly.
 *
 * Exit codes: 0 after a clean stop, 1 if Solr or any core failed to start
 * (failures are otherwise swallowed by Solr while Jetty keeps serving), 2 on bad usage.
 *
 * Do not declare static loggers here: slf4j-simple reads its configuration from system
 * properties when the first logger is created, and main() sets defaults first.
 */

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

public class SolrLauncher {

  private static void defaultProperty(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private static void log(String msg) {
    System.err.println("[SolrLauncher] " + msg);
    System.err.flush();
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: java -cp '<lib>/*' SolrLauncher.java <solrHome> <port>");
      System.exit(2);
    }
    final Path home = Path.of(args[0]).toAbsolutePath().normalize();
    final int port;
    try {
      port = Integer.parseInt(args[1]);
    } catch (NumberFormatException e) {
      System.err.println("SolrLauncher: port must be a number, got: " + args[1]);
      System.exit(2);
      return;
    }
    if (!Files.isRegularFile(home.resolve("solr.xml"))) {
      System.err.println("SolrLauncher: " + home + "/solr.xml is missing");
      System.exit(2);
    }

    // slf4j-simple (log4j is excluded from the classpath): timestamps, INFO, quiet Jetty.
    defaultProperty("org.slf4j.simpleLogger.showDateTime", "true");
    defaultProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS");
    defaultProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    defaultProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
    // Solr system properties (bin/solr would normally set these).
    defaultProperty("solr.solr.home", home.toString());
    defaultProperty("solr.log.dir", home.resolve("logs").toString());
    defaultProperty("solr.lock.type", "single");
    defaultProperty("jetty.port", Integer.toString(port));

    final org.apache.solr.embedded.JettyConfig config =
        org.apache.solr.embedded.JettyConfig.builder()
            .setContext("/solr")
            .setPort(port)
            // Our own hook below stops the runner; Jetty's hook would race with it.
            .stopAtShutdown(false)
            // A busy port is a hard error, not a 60 s retry loop.
            .withPortRetryTime(1)
            .build();
    final org.apache.solr.embedded.JettySolrRunner runner =
        new org.apache.solr.embedded.JettySolrRunner(home.toString(), config);

    final CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log("shutdown requested, stopping Solr");
                  try {
                    if (runner.isRunning()) {
                      runner.stop();
                    }
                    log("stopped");
                  } catch (Throwable t) {
                    log("error while stopping: " + t);
                  } finally {
                    stopped.countDown();
                  }
                },
                "solr-launcher-shutdown"));

    try {
      runner.start(); // waits for cores to load (waitForLoadingCoresToFinish, 300 s)
    } catch (Throwable t) {
      log("Jetty/Solr failed to start on 127.0.0.1:" + port + ": " + t);
      t.printStackTrace();
      System.exit(1);
    }

    // Solr swallows CoreContainer and core init errors and keeps Jetty up; fail loudly instead.
    org.apache.solr.core.CoreContainer cc = runner.getCoreContainer();
    if (cc == null) {
      log("Solr did not start (no CoreContainer); see the errors above");
      System.exit(1);
    }
    Map<String, org.apache.solr.core.CoreContainer.CoreLoadFailure> failures =
        cc.getCoreInitFailures();
    if (!failures.isEmpty()) {
      for (Map.Entry<String, org.apache.solr.core.CoreContainer.CoreLoadFailure> e :
          failures.entrySet()) {
        // Solr has already logged the full stack trace; print the cause chain only.
        StringBuilder msg = new StringBuilder();
        for (Throwable t = e.getValue().exception; t != null; t = t.getCause()) {
          msg.append("\n    ").append(t);
        }
        log("core '" + e.getKey() + "' failed to load:" + msg);
      }
      System.exit(1);
    }

    log("Solr " + org.apache.solr.client.api.util.SolrVersion.LATEST + " ready at " + runner.getBaseUrl()
        + " (home " + home + ", cores " + cc.getLoadedCoreNames() + ")");

    stopped.await(); // returns only once the shutdown hook has finished
  }
}
