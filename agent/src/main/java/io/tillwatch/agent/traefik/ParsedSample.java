package io.tillwatch.agent.traefik;

import io.tillwatch.model.Labels;

/**
 * One sample of a Prometheus text or OpenMetrics exposition, with its family.
 *
 * @param family the family it belongs to (from {@code # TYPE}), or its own name when untyped
 * @param type {@code counter}, {@code gauge}, {@code histogram}, {@code summary}, {@code info},
 *     {@code untyped}, ... as declared
 * @param help the family's help text, or empty
 * @param name the sample's own name, e.g. {@code x_bucket}
 * @param labels its labels
 * @param value its value ({@code +Inf}, {@code -Inf} and NaN included)
 */
public record ParsedSample(
    String family, String type, String help, String name, Labels labels, double value) {}
