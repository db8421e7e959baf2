package io.tillwatch.collector.ingest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * OTLP/HTTP answers in the request's encoding: an {@code ExportMetricsServiceResponse} on success,
 * a {@code google.rpc.Status} (code and message) on failure.
 */
final class OtlpResponses {
  /** gRPC codes used in {@code Status.code}. */
  static final int INVALID_ARGUMENT = 3;

  static final int PERMISSION_DENIED = 7;
  static final int RESOURCE_EXHAUSTED = 8;
  static final int UNAVAILABLE = 14;
  static final int UNAUTHENTICATED = 16;

  private OtlpResponses() {}

  static byte[] success(boolean json, long rejected, String reason) {
    ExportMetricsServiceResponse.Builder b = ExportMetricsServiceResponse.newBuilder();
    if (rejected > 0) {
      b.setPartialSuccess(
          ExportMetricsPartialSuccess.newBuilder()
              .setRejectedDataPoints(rejected)
              .setErrorMessage(reason));
    }
    if (!json) {
      return b.build().toByteArray();
    }
    try {
      return JsonFormat.printer().print(b).getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] status(boolean json, int code, String message) {
    if (json) {
      return JsonNodeFactory.instance
          .objectNode()
          .put("code", code)
          .put("message", message)
          .toString()
          .getBytes(StandardCharsets.UTF_8);
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeInt32(1, code);
      out.writeString(2, message);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
