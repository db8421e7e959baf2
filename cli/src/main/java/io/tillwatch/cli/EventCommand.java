package io.tillwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tillwatch event deploy|maintenance|incident|note}: records an event of a tenant at the
 * collector ({@code POST /api/v1/events}), as a CI/CD pipeline does after a release; the token as
 * {@code slo status} takes it (best {@code $TILLWATCH_TOKEN} or a file: a value on the command line
 * shows in process lists).
 */
@Command(
    name = "event",
    description = {
      "Record an event of a tenant at the collector: a release (deploy), a maintenance window,"
          + " an incident or a note. Releases are judged by the release guard.",
      "Exit 0: recorded; 1: the collector refused it (the reason is printed); 2: it cannot be"
          + " reached or the command is wrong."
    })
final class EventCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  // --version names the release, so help is the only standard option here
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Parameters(
      index = "0",
      paramLabel = "TYPE",
      description = "deploy, maintenance, incident or note.")
  String type;

  @Option(
      names = "--collector",
      required = true,
      paramLabel = "URL",
      description = "The collector's base URL, e.g. https://collector.internal:4318.")
  java.net.URI collector;

  @Option(names = "--tenant", required = true, paramLabel = "ID", description = "The tenant.")
  String tenant;

  @Option(
      names = "--version",
      paramLabel = "VERSION",
      description = "The version released (required for deploy), e.g. 17.0.20241201.")
  String version;

  @Option(
      names = "--service",
      paramLabel = "NAME",
      description = "What was released or maintained, e.g. odoo.")
  String service;

  @Option(names = "--text", paramLabel = "TEXT", description = "What happened, in words.")
  String text;

  @Option(
      names = "--at",
      paramLabel = "TIME",
      description = "When (RFC 3339 or Unix seconds; default now).")
  String at;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      description = "How long (maintenance, incident), e.g. 2h.")
  String duration;

  @picocli.CommandLine.Mixin CollectorApi.Token token;

  @Option(
      names = "--ca-file",
      paramLabel = "FILE",
      description = "The CA (PEM) that signs the collector's certificate, besides the system's.")
  Path caFile;

  @Override
  public Integer call() throws Exception {
    ObjectNode body = new ObjectMapper().createObjectNode().put("type", type).put("tenant", tenant);
    putIf(body, "version", version);
    putIf(body, "service", service);
    putIf(body, "text", text);
    putIf(body, "at", at);
    putIf(body, "duration", duration);
    HttpResponse<String> r =
        CollectorApi.send(
            collector,
            token.secret(),
            caFile,
            "/api/v1/events",
            HttpRequest.newBuilder()
                .header("Content-Type", "application/json")
                .header("User-Agent", "tillwatch-event")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    if (r.statusCode() != 200) {
      String reason = r.body();
      try {
        JsonNode error = new ObjectMapper().readTree(r.body()).path("error");
        if (error.isTextual()) {
          reason = error.asText();
        }
      } catch (IOException notJson) {
        // the body as it came
      }
      spec.commandLine()
          .getErr()
          .printf("tillwatch event: refused (HTTP %d): %s%n", r.statusCode(), reason.strip());
      return 1;
    }
    JsonNode e = new ObjectMapper().readTree(r.body()).path("data");
    spec.commandLine()
        .getOut()
        .printf(
            "recorded %s %d of %s at %s%n",
            e.path("type").asText(),
            e.path("id").asLong(),
            e.path("tenant").asText(),
            e.path("at").asText());
    spec.commandLine().getOut().flush();
    return 0;
  }

  private static void putIf(ObjectNode body, String field, String value) {
    if (value != null) {
      body.put(field, value);
    }
  }
}
