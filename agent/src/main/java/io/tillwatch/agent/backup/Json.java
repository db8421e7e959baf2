package io.tillwatch.agent.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Small JSON helpers; malformed input becomes an {@link IllegalArgumentException} with where. */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static JsonNode parse(String text) {
    try {
      JsonNode n = MAPPER.readTree(text);
      return n == null ? MAPPER.missingNode() : n;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "malformed JSON at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ": "
              + e.getOriginalMessage(),
          e);
    }
  }

  static IllegalArgumentException unexpected(String expected, JsonNode got) {
    return new IllegalArgumentException("expected " + expected + ", got " + got.getNodeType());
  }

  static double number(JsonNode n) {
    return n.isNumber() ? n.asDouble() : Double.NaN;
  }
}
