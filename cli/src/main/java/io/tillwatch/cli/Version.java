package io.tillwatch.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the distribution's manifest. */
final class Version implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = Main.class.getPackage().getImplementationVersion();
    return new String[] {
      "tillwatch " + (v == null ? "(development build)" : v),
      "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
    };
  }
}
