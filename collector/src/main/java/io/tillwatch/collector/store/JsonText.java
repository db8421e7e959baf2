package io.tillwatch.collector.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.TreeMap;

/** Label and annotation maps as the JSON text the {@code jsonb} columns hold. */
final class JsonText {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<TreeMap<String, String>> STRINGS = new TypeReference<>() {};

  private JsonText() {}

  /** {@code {"name": "value", ...}}. */
  static String of(Map<String, String> map) {
    try {
      return JSON.writeValueAsString(map);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings is always JSON", e);
    }
  }

  /** The map a {@code jsonb} column of strings holds, sorted by name. */
  static TreeMap<String, String> strings(String json) {
    try {
      return JSON.readValue(json, STRINGS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored labels are not a JSON object of strings: " + e, e);
    }
  }
}
