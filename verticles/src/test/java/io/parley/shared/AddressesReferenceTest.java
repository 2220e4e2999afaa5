package io.parley.shared;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docs/addresses.md} is the polyglot API: a service in any language is written against it.
 * It must list every address {@link Addresses} has, and say "client" and "service" for exactly
 * the addresses the bridge opens to browsers and to services.
 */
class AddressesReferenceTest {

  /** A table row that starts with an address in backquotes: the address, and the "who" column. */
  private static final Pattern ROW = Pattern.compile("^\\| `([a-z][A-Za-z.-]*)` \\| ([^|]*)\\|", Pattern.MULTILINE);
  private static final Set<String> WHO_WORDS = Set.of("client", "server", "service", "internal");

  private static Map<String, String> documented() throws IOException {
    Path page = Path.of("").toAbsolutePath().getParent().resolve("docs/addresses.md");
    Map<String, String> rows = new LinkedHashMap<>();
    Matcher row = ROW.matcher(Files.readString(page));
    while (row.find()) {
      rows.putIfAbsent(row.group(1), row.group(2));
    }
    return rows;
  }

  private static Set<String> constants() {
    return Arrays.stream(Addresses.class.getFields())
      .filter(field -> Modifier.isStatic(field.getModifiers()) && field.getType() == String.class)
      .filter(field -> !field.getName().equals("ROOM_PREFIX"))
      .map(AddressesReferenceTest::value)
      .collect(Collectors.toSet());
  }

  private static String value(Field field) {
    try {
      return (String) field.get(null);
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    }
  }

  /** Whether the "who" column names {@code kind} as a word (not inside {@code client-<sessionId>}). */
  private static boolean names(String who, String kind) {
    return Pattern.compile("(?<![\\w`<-])" + kind + "(?![\\w-])").matcher(who).find();
  }

  @Test
  void the_reference_lists_every_address_and_no_other() throws IOException {
    assertThat(documented().keySet()).containsExactlyInAnyOrderElementsOf(constants());
  }

  @Test
  void the_reference_opens_to_clients_and_services_what_the_bridge_opens() throws IOException {
    Set<String> services = new HashSet<>(Addresses.SERVICE_INBOUND);
    services.addAll(Addresses.SERVICE_OUTBOUND);
    documented().forEach((address, who) -> {
      assertThat(WHO_WORDS.stream().anyMatch(word -> names(who, word))).as("%s says who may use it: '%s'", address, who).isTrue();
      assertThat(names(who, "client")).as("%s: client in '%s'", address, who).isEqualTo(Addresses.INBOUND.contains(address));
      assertThat(names(who, "service")).as("%s: service in '%s'", address, who).isEqualTo(services.contains(address));
    });
  }
}
