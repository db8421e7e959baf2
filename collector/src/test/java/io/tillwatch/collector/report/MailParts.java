package io.tillwatch.collector.report;

import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A received message's MIME tree, flattened: each part's type, content id, file name and bytes. */
record MailParts(List<Leaf> leaves, List<String> structure) {
  record Leaf(String type, String contentId, String fileName, byte[] bytes) {
    String text() {
      return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  static MailParts of(MimeMessage m) throws Exception {
    List<Leaf> leaves = new ArrayList<>();
    List<String> structure = new ArrayList<>();
    walk(m, 0, leaves, structure);
    return new MailParts(leaves, structure);
  }

  private static void walk(Part p, int depth, List<Leaf> leaves, List<String> structure)
      throws Exception {
    String type = p.getContentType().toLowerCase(Locale.ROOT).split(";")[0].trim();
    structure.add("  ".repeat(depth) + type);
    if (p.isMimeType("multipart/*")) {
      Multipart mp = (Multipart) p.getContent();
      for (int i = 0; i < mp.getCount(); i++) {
        BodyPart b = mp.getBodyPart(i);
        walk(b, depth + 1, leaves, structure);
      }
      return;
    }
    String cid = p instanceof jakarta.mail.internet.MimePart mp ? mp.getContentID() : null;
    try (InputStream in = p.getInputStream()) {
      leaves.add(new Leaf(type, cid, p.getFileName(), in.readAllBytes()));
    }
  }

  Leaf one(String type) {
    List<Leaf> l = all(type);
    if (l.size() != 1) {
      throw new AssertionError(
          "expected one " + type + " part, got " + l.size() + ": " + structure);
    }
    return l.getFirst();
  }

  List<Leaf> all(String type) {
    return leaves.stream().filter(l -> l.type().equals(type)).toList();
  }
}
