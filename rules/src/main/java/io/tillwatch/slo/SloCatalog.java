package io.tillwatch.slo;

import java.util.ArrayList;
import java.util.List;

/** The SLOs a collector keeps and the periods taken out of them, from every SLO file. */
public record SloCatalog(List<Slo> slos, List<Exclusion> exclusions) {
  public static final SloCatalog EMPTY = new SloCatalog(List.of(), List.of());

  public SloCatalog {
    slos = List.copyOf(slos);
    exclusions = List.copyOf(exclusions);
  }

  /** This catalogue and {@code more}'s SLOs and exclusions. */
  public SloCatalog plus(SloCatalog more) {
    List<Slo> s = new ArrayList<>(slos);
    s.addAll(more.slos);
    List<Exclusion> e = new ArrayList<>(exclusions);
    e.addAll(more.exclusions);
    return new SloCatalog(s, e);
  }

  /**
   * The built-in SLOs {@code builtin} with this catalogue's (a file's) SLOs over them: a file's SLO
   * of a built-in's name replaces it for the tenants its {@code tenants} filter selects (for every
   * tenant without a filter), so a tier or a tenant can have an SLO of its own.
   */
  public SloCatalog over(SloCatalog builtin) {
    List<Slo> out = new ArrayList<>();
    for (Slo b : builtin.slos) {
      Slo kept = b;
      for (Slo s : slos) {
        if (s.name().equals(b.name()) && kept != null) {
          kept = s.tenants().isEmpty() ? null : kept.except(s.tenants());
        }
      }
      if (kept != null) {
        out.add(kept);
      }
    }
    out.addAll(slos);
    List<Exclusion> e = new ArrayList<>(builtin.exclusions);
    e.addAll(exclusions);
    return new SloCatalog(out, e);
  }
}
