package io.tillwatch.slo;

import io.tillwatch.model.Tenant;
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
   * Whether {@code slo} applies to a tenant (null: one the estate does not know, which passes only
   * an SLO without a {@code tenants} filter).
   */
  public static boolean appliesTo(Slo slo, Tenant t) {
    return slo.tenants().isEmpty() || (t != null && t.matches(slo.tenants()));
  }
}
