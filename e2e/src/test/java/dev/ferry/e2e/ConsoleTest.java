package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.ClusterHost;
import dev.ferry.api.ClusterMigration;
import dev.ferry.api.ClusterMigrationRequest;
import dev.ferry.api.ClusterVm;
import dev.ferry.api.ClusterVmCreate;
import dev.ferry.api.ManagerClient;
import dev.ferry.api.QueueLimits;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import dev.ferry.migration.MigrationSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console end to end: a real manager with two namespace hosts and two real guests, the
 * console served by the manager and driven in Debian's headless Chromium through a loopback proxy
 * to the manager's unix socket. Each step saves a screenshot to {@code
 * target/console-screenshots/}. The steps build on each other and run in order.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleTest {
  private static final Logger log = LoggerFactory.getLogger(ConsoleTest.class);
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path OUT =
      Path.of(System.getProperty("basedir", "."), "target", "console-screenshots");
  private static final Duration UI = Duration.ofSeconds(20);
  private static final List<String> HOSTS = List.of("host-a", "host-b");
  private static final List<String> VMS = List.of("web1", "web2");

  private static TestWorld world;
  private static ManagerProcess manager;
  private static UnixSocketProxy proxy;
  private static ChromeDriverService service;
  private static ChromeDriver driver;
  private static Path managerDir;
  private static int shots;

  /** A failed step leaves a screenshot and the page's HTML behind. */
  @RegisterExtension
  static final TestWatcher ON_FAILURE =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          String name = "failed-" + context.getRequiredTestMethod().getName();
          screenshot(name);
          if (driver != null) {
            try {
              Files.writeString(OUT.resolve(name + ".html"), driver.getPageSource());
            } catch (IOException | RuntimeException e) {
              log.warn("Cannot save the page of {}: {}", name, e.toString());
            }
          }
        }
      };

  @BeforeAll
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  static void up() throws IOException {
    requireBrowser();
    Files.createDirectories(OUT);
    try (var old = Files.list(OUT)) {
      for (Path p : old.toList()) {
        Files.deleteIfExists(p);
      }
    }
    world = TestWorld.up("fe2e-web", 48, HOSTS.size());
    // Inside the testbed's own state directory: removed with it, shared with no other test.
    managerDir = world.testbed.stateRoot().resolve(world.testbed.name()).resolve("manager");
    manager =
        ManagerProcess.start(
            world.testbed, managerDir, "sqlite:" + managerDir.resolve("inventory.db"));
    try (ManagerClient m = manager.client()) {
      for (String h : HOSTS) {
        assertThat(m.addHost(world.host(h).plan().agentUrl().toString()).name()).isEqualTo(h);
      }
      for (int i = 0; i < VMS.size(); i++) {
        ClusterVm vm =
            m.createVm(
                new ClusterVmCreate(
                    world.guestRequest(VMS.get(i), i + 1, ByteSize.ofMiB(128), ""),
                    Optional.of("host-a"),
                    Set.of()));
        assertThat(vm.host()).isEqualTo("host-a");
      }
    }
    try (var a = world.agent("host-a")) {
      VMS.forEach(vm -> world.awaitGuestReady(a, vm));
    }
    proxy = UnixSocketProxy.start(manager.socket());
    startBrowser();
  }

  /** Fails (never skips) without Debian's chromium and chromium-driver. */
  private static void requireBrowser() {
    List<String> missing = new ArrayList<>();
    for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
      if (!Files.isExecutable(p)) {
        missing.add(p.toString());
      }
    }
    if (!missing.isEmpty()) {
      fail(
          "ConsoleTest drives the web console in headless Chromium, but "
              + String.join(" and ", missing)
              + " is missing: install Debian's browser and its driver with"
              + " `apt-get install -y --no-install-recommends chromium chromium-driver`"
              + " (scripts/test does)");
    }
  }

  private static void startBrowser() {
    // The driver is given explicitly, so Selenium Manager never looks for (or downloads) one.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withLogFile(OUT.resolve("chromedriver.log").toFile())
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--window-size=1440,1000",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--user-data-dir=" + managerDir.resolve("chromium-profile"));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
  }

  @AfterAll
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  static void down() {
    List<Throwable> errors = new ArrayList<>();
    step(errors, "quit the browser", () -> driver.quit(), driver != null);
    step(errors, "stop chromedriver", () -> service.stop(), service != null);
    step(errors, "close the proxy", () -> proxy.close(), proxy != null);
    step(errors, "stop the manager", () -> manager.close(), manager != null);
    step(
        errors,
        "keep the manager's log",
        () -> {
          for (String f : List.of("manager.log", "manager.err")) {
            Path p = managerDir.resolve(f);
            if (Files.exists(p)) {
              Files.copy(p, OUT.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
          }
        },
        managerDir != null);
    step(errors, "take the testbed down", () -> world.close(), world != null);
    if (!errors.isEmpty()) {
      AssertionError e = new AssertionError("teardown failed: " + errors);
      errors.forEach(e::addSuppressed);
      throw e;
    }
  }

  private static void step(
      List<Throwable> errors, String what, ThrowingRunnable r, boolean needed) {
    if (!needed) {
      return;
    }
    try {
      r.run();
    } catch (Throwable t) {
      log.warn("Teardown: cannot {}", what, t);
      errors.add(t);
    }
  }

  // ------------------------------------------------------------------ steps

  @Test
  @Order(1)
  void theOverviewShowsBothHostsAndTheGuests() {
    driver.get(proxy.url());
    assertThat(driver.getTitle()).isEqualTo("Ferry console");
    eventually(
        "both hosts up and in service",
        () -> {
          for (String h : HOSTS) {
            WebElement card = hostCard(h);
            assertThat(card.getDomAttribute("data-status")).isEqualTo("up");
            assertThat(card.getDomAttribute("data-maintenance")).isEqualTo("none");
            assertThat(text(card, "host-status")).isEqualTo("up");
            assertThat(text(card, "host-maintenance")).isEqualTo("in service");
            assertThat(text(card, "maintenance-button")).isEqualTo("Enter maintenance");
            assertThat(card.findElements(By.cssSelector("[data-testid=host-cpu-bar] .fill")))
                .hasSize(1);
            assertThat(text(card, "host-memory-value")).contains("/");
          }
          assertThat(text(hostCard("host-a"), "host-vms")).isEqualTo("2");
          assertThat(text(hostCard("host-b"), "host-vms")).isEqualTo("0");
        });
    eventually(
        "both guests running on host-a",
        () -> {
          for (String vm : VMS) {
            WebElement row = vmRow(vm);
            assertThat(row.getDomAttribute("data-host")).isEqualTo("host-a");
            assertThat(row.getDomAttribute("data-state")).isEqualTo("running");
            assertThat(text(row, "vm-memory")).isEqualTo("128 MiB");
          }
        });
    eventually(
        "live, with events and no error",
        () -> {
          assertThat(byTestId("connection").getDomAttribute("data-state")).isEqualTo("live");
          assertThat(driver.findElements(By.cssSelector("[data-testid=event]"))).isNotEmpty();
          assertThat(driver.findElements(By.cssSelector("[data-testid=error-message]"))).isEmpty();
          assertThat(byTestId("summary").getText()).contains("2 hosts (2 up)", "2 VMs");
        });
    screenshot("overview");
  }

  @Test
  @Order(2)
  void aRunningMigrationShowsProgressAQueuedOneCanBeAbortedAndHistoryIsCharted() {
    try (ManagerClient m = manager.client()) {
      // One migration at a time out of a host, so the second request waits in the queue.
      m.setLimits(new QueueLimits(1, 2, 5));
      try {
        MigrationSettings slow =
            MigrationSettings.defaults()
                .withBandwidth(Optional.of(DataRate.ofMebibytesPerSecond(6)));
        ClusterMigration first =
            m.migrate(
                new ClusterMigrationRequest("web1", Optional.of("host-b"), Optional.of(slow)));
        ClusterMigration second =
            m.migrate(new ClusterMigrationRequest("web2", Optional.of("host-b"), Optional.empty()));

        eventually(
            "web1's migration running with a progress bar",
            () -> {
              WebElement card = byId("migration-running", first.id());
              assertThat(card.getDomAttribute("data-vm")).isEqualTo("web1");
              WebElement bar = card.findElement(By.cssSelector("[data-testid=progress-bar]"));
              assertThat(Double.parseDouble(bar.getDomAttribute("data-percent"))).isGreaterThan(0);
              assertThat(text(card, "progress-detail")).contains("sent");
              assertThat(text(card, "progress-percent")).endsWith("%");
              assertThat(card.findElements(By.cssSelector(".phases .current"))).hasSize(1);
            });
        eventually(
            "web2's migration queued with its reason",
            () -> {
              WebElement row = byId("migration-queued", second.id());
              assertThat(text(row, "queue-reason")).startsWith("waiting");
              assertThat(text(vmRow("web2"), "vm-migration")).contains("queued");
            });
        screenshot("migration-running-and-queued");

        byId("migration-queued", second.id())
            .findElement(By.cssSelector("[data-testid=abort-button]"))
            .click();
        eventually(
            "web2's queued migration cancelled",
            () -> {
              assertThat(m.migration(second.id()).status())
                  .isEqualTo(ClusterMigration.Status.CANCELLED);
              assertThat(byTestId("queue-empty").isDisplayed()).isTrue();
              assertThat(byId("history-row", second.id()).getDomAttribute("data-status"))
                  .isEqualTo("cancelled");
            });

        await("web1's migration ends")
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> m.migration(first.id()).status().done());
        ClusterMigration done = m.migration(first.id());
        assertThat(done.status())
            .as("%s", done.reason())
            .isEqualTo(ClusterMigration.Status.COMPLETED);
        eventually(
            "web1 completed in the history, on host-b, and charted",
            () -> {
              assertThat(byId("history-row", first.id()).getDomAttribute("data-status"))
                  .isEqualTo("completed");
              assertThat(text(byId("history-row", first.id()), "history-duration"))
                  .matches("[0-9.]+ (ms|s)|.*min.*");
              assertThat(vmRow("web1").getDomAttribute("data-host")).isEqualTo("host-b");
              assertThat(byTestId("running-empty").isDisplayed()).isTrue();
              assertChartMatchesHistory(m);
            });
        assertNoErrorShown();
        screenshot("history");
      } finally {
        m.setLimits(QueueLimits.DEFAULT);
      }
    }
  }

  @Test
  @Order(3)
  void aMigrationStartedFromThePageCompletes() {
    WebElement row = vmRow("web2");
    new Select(row.findElement(By.cssSelector("[data-testid=migrate-target]")))
        .selectByValue("host-b");
    row.findElement(By.cssSelector("[data-testid=migrate-button]")).click();
    eventually(
        "the page confirms the request",
        () ->
            assertThat(driver.findElements(By.cssSelector("[data-testid=notice]")))
                .extracting(WebElement::getText)
                .anyMatch(t -> t.contains("web2") && t.contains("host-a → host-b")));
    try (ManagerClient m = manager.client()) {
      await("web2 on host-b")
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> m.vm("web2").host().equals("host-b") && m.vm("web2").migration().isEmpty());
      eventually(
          "web2 shown on host-b, three migrations in the history",
          () -> {
            assertThat(vmRow("web2").getDomAttribute("data-host")).isEqualTo("host-b");
            assertThat(driver.findElements(By.cssSelector("[data-testid=history-row]"))).hasSize(3);
            assertChartMatchesHistory(m);
            assertThat(text(hostCard("host-b"), "host-vms")).isEqualTo("2");
          });
    }
    assertNoErrorShown();
    screenshot("migrated-from-the-page");
  }

  @Test
  @Order(4)
  void maintenanceFromThePageEvacuatesTheHostAndExitingItRestoresIt() {
    WebElement button =
        hostCard("host-b").findElement(By.cssSelector("[data-testid=maintenance-button]"));
    assertThat(button.getText()).isEqualTo("Enter maintenance");
    button.click();
    eventually(
        "host-b leaving service",
        () ->
            assertThat(hostCard("host-b").getDomAttribute("data-maintenance"))
                .isIn("entering", "in-maintenance"));
    screenshot("maintenance-entering");
    try (ManagerClient m = manager.client()) {
      await("host-b in maintenance")
          .atMost(Duration.ofMinutes(4))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> m.host("host-b").maintenance() == ClusterHost.Maintenance.IN_MAINTENANCE);
      eventually(
          "host-b shown in maintenance, both guests back on host-a",
          () -> {
            WebElement card = hostCard("host-b");
            assertThat(card.getDomAttribute("data-maintenance")).isEqualTo("in-maintenance");
            assertThat(text(card, "host-maintenance")).isEqualTo("in maintenance");
            assertThat(text(card, "maintenance-button")).isEqualTo("Exit maintenance");
            assertThat(text(card, "host-vms")).isEqualTo("0");
            assertThat(text(card, "host-evacuation")).contains("Host is empty");
            for (String vm : VMS) {
              assertThat(vmRow(vm).getDomAttribute("data-host")).isEqualTo("host-a");
              assertThat(vmRow(vm).getDomAttribute("data-state")).isEqualTo("running");
            }
            assertThat(history()).hasSize(5);
            assertChartMatchesHistory(m);
            assertThat(
                    driver.findElements(
                        By.cssSelector("[data-testid=event][data-kind=maintenance-entered]")))
                .isNotEmpty();
          });
      screenshot("in-maintenance");

      hostCard("host-b").findElement(By.cssSelector("[data-testid=maintenance-button]")).click();
      eventually(
          "host-b in service again",
          () -> {
            WebElement card = hostCard("host-b");
            assertThat(card.getDomAttribute("data-maintenance")).isEqualTo("none");
            assertThat(text(card, "maintenance-button")).isEqualTo("Enter maintenance");
            assertThat(
                    card.findElement(By.cssSelector("[data-testid=host-evacuation]")).isDisplayed())
                .isFalse();
          });
      assertThat(m.host("host-b").schedulable()).isTrue();
    }
    assertNoErrorShown();
    screenshot("maintenance-exited");
  }

  @Test
  @Order(5)
  void balancingRendersAndARefusedSettingIsShownAsAnError() {
    eventually(
        "the balancing section",
        () -> {
          assertThat(byTestId("balance-mode").getText()).isEqualTo("manual");
          assertThat(byTestId("imbalance-before").getText()).matches("\\d+\\.\\d{3}");
          assertThat(byTestId("imbalance-after").getText()).matches("\\d+\\.\\d{3}");
          int recommendations =
              driver.findElements(By.cssSelector("[data-testid=recommendation]")).size();
          int notes = driver.findElements(By.cssSelector("[data-testid=balance-note]")).size();
          if (recommendations > 0) {
            assertThat(
                    driver.findElements(
                        By.cssSelector(
                            "[data-testid=recommendation] [data-testid=apply-recommendation]")))
                .hasSize(recommendations);
            assertThat(byTestId("apply-all").isEnabled()).isTrue();
          } else {
            assertThat(byTestId("recommendations-empty").isDisplayed()).isTrue();
            assertThat(byTestId("apply-all").isEnabled()).isFalse();
          }
          log.info("Balancing shows {} recommendation(s), {} note(s)", recommendations, notes);
        });
    assertNoErrorShown();
    screenshot("balancing");

    WebElement aggressiveness = byTestId("balance-aggr-input");
    aggressiveness.clear();
    aggressiveness.sendKeys("9");
    byTestId("balance-save").click();
    eventually(
        "the manager's refusal shown",
        () -> {
          WebElement error = byTestId("error-message");
          assertThat(error.getDomAttribute("data-status")).isEqualTo("400");
          assertThat(error.getText()).contains("Save balancing settings failed", "aggressiveness");
        });
    screenshot("balancing-refused");
    byTestId("error-message").findElement(By.tagName("button")).click();
    eventually(
        "the error dismissed",
        () ->
            assertThat(driver.findElements(By.cssSelector("[data-testid=error-message]")))
                .isEmpty());

    aggressiveness = byTestId("balance-aggr-input");
    aggressiveness.clear();
    aggressiveness.sendKeys("4");
    byTestId("balance-save").click();
    eventually(
        "the new setting shown",
        () -> assertThat(byTestId("balance-aggr").getDomAttribute("data-value")).isEqualTo("4"));
    try (ManagerClient m = manager.client()) {
      assertThat(m.balance().aggressiveness()).isEqualTo(4);
    }
    screenshot("balancing-saved");

    List<String> jsErrors = new ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      // The refused PUT is logged by the browser itself; anything else is the page's fault.
      if (e.getLevel().intValue() >= Level.SEVERE.intValue()
          && !e.getMessage().contains("Failed to load resource")) {
        jsErrors.add(e.getMessage());
      }
    }
    assertThat(jsErrors).as("errors in the browser console").isEmpty();
  }

  // ------------------------------------------------------------------ helpers

  private static void eventually(String what, ThrowingRunnable assertion) {
    await(what)
        .atMost(UI)
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsMatching(
            e -> e instanceof NoSuchElementException || e instanceof StaleElementReferenceException)
        .untilAsserted(assertion);
  }

  /** The chart has one mark per finished migration the manager reports, and the table agrees. */
  private static void assertChartMatchesHistory(ManagerClient m) {
    List<String> finished =
        m.migrations().stream().filter(x -> x.status().done()).map(ClusterMigration::id).toList();
    WebElement chart = byTestId("history-chart");
    assertThat(chart.findElements(By.cssSelector("svg[data-testid=history-svg]"))).hasSize(1);
    List<String> marks =
        chart.findElements(By.cssSelector("[data-testid=chart-mark]")).stream()
            .map(e -> e.getDomAttribute("data-id"))
            .toList();
    assertThat(marks).containsExactlyInAnyOrderElementsOf(finished);
    assertThat(history()).containsExactlyInAnyOrderElementsOf(finished);
  }

  /** Nothing the page did was refused. */
  private static void assertNoErrorShown() {
    assertThat(driver.findElements(By.cssSelector("[data-testid=error-message]")))
        .extracting(WebElement::getText)
        .isEmpty();
  }

  private static List<String> history() {
    return driver.findElements(By.cssSelector("[data-testid=history-row]")).stream()
        .map(e -> e.getDomAttribute("data-id"))
        .toList();
  }

  private static WebElement byTestId(String id) {
    return driver.findElement(By.cssSelector("[data-testid='" + id + "']"));
  }

  private static WebElement byId(String testId, String dataId) {
    return driver.findElement(
        By.cssSelector("[data-testid='" + testId + "'][data-id='" + dataId + "']"));
  }

  private static WebElement hostCard(String host) {
    return driver.findElement(By.cssSelector("[data-testid=host-card][data-host='" + host + "']"));
  }

  private static WebElement vmRow(String vm) {
    return driver.findElement(By.cssSelector("[data-testid=vm-row][data-vm='" + vm + "']"));
  }

  private static String text(WebElement root, String testId) {
    return root.findElement(By.cssSelector("[data-testid='" + testId + "']")).getText();
  }

  /** Saves a PNG of the whole page (beyond the window) as NN-name.png. */
  private static void screenshot(String name) {
    if (driver == null) {
      return;
    }
    try {
      byte[] png;
      try {
        Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> size = (Map<String, Object>) metrics.get("cssContentSize");
        double width = ((Number) size.get("width")).doubleValue();
        double height = ((Number) size.get("height")).doubleValue();
        Map<String, Object> shot =
            driver.executeCdpCommand(
                "Page.captureScreenshot",
                Map.of(
                    "format",
                    "png",
                    "captureBeyondViewport",
                    true,
                    "clip",
                    Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
        png = Base64.getDecoder().decode((String) shot.get("data"));
      } catch (RuntimeException e) {
        log.info("Full-page capture failed ({}); saving the window only", e.toString());
        png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
      }
      Files.createDirectories(OUT);
      Path file = OUT.resolve(String.format("%02d-%s.png", ++shots, name));
      Files.write(file, png);
      log.info("Screenshot {}", file);
    } catch (IOException | RuntimeException e) {
      log.warn("Cannot save screenshot {}: {}", name, e.toString());
    }
  }
}
