package io.tillwatch.agent.backup;

/**
 * One completed backup in a repository.
 *
 * @param type {@code full}, {@code diff} or {@code incr}
 * @param start Unix seconds it started
 * @param stop Unix seconds it ended
 * @param size database bytes it covers (NaN when unknown)
 * @param repoBytes bytes it adds to the repository (NaN when unknown)
 * @param checksumErrors whether it found page checksum errors
 */
public record Backup(
    String type, double start, double stop, double size, double repoBytes, boolean checksumErrors) {
  /** Types that a backup of this type also satisfies: a full is a diff and an incr too. */
  boolean counts(String asType) {
    return switch (type) {
      case "full" -> true;
      case "diff" -> !asType.equals("full");
      default -> asType.equals(type);
    };
  }
}
