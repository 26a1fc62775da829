package dev.ferry.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
  @TempDir Path dir;

  @Test
  void aTokenIsKnownByItsSecretOnlyAndTheStoreKeepsNoSecret() throws Exception {
    TokenStore store = TokenStore.open(dir.resolve("tokens.json"));
    BearerToken alice = store.add("alice", Role.OPERATOR);
    assertThat(store.verify(alice)).contains(new Principal("alice", Role.OPERATOR));
    assertThat(store.verify(new BearerToken(alice.id(), BearerToken.generate().secret())))
        .as("same id, another secret")
        .isEmpty();
    assertThat(store.verify(BearerToken.generate())).isEmpty();
    String file = Files.readString(dir.resolve("tokens.json"));
    assertThat(file).contains(alice.id()).doesNotContain(alice.secret());
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("tokens.json"))))
        .isEqualTo("rw-------");
    assertThat(alice.toString()).doesNotContain(alice.secret());
  }

  @Test
  void anotherProcessesChangeIsSeenAtTheNextCall() throws Exception {
    Path file = dir.resolve("tokens.json");
    TokenStore server = TokenStore.open(file);
    BearerToken bob = server.add("bob", Role.VIEWER);
    assertThat(TokenStore.open(file).remove("bob")).isTrue();
    // A coarse file-time grain must not hide the change.
    Files.setLastModifiedTime(
        file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2000));
    assertThat(server.verify(bob)).as("removed elsewhere").isEmpty();
  }

  @Test
  void theSecureDefaultIsOneAdminTokenWrittenForTheOperator() throws Exception {
    TokenStore store = TokenStore.openOrInit(dir.resolve("t.json"), dir.resolve("admin.token"));
    BearerToken admin = BearerToken.read(dir.resolve("admin.token"));
    assertThat(store.verify(admin)).contains(new Principal("admin", Role.ADMIN));
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("admin.token"))))
        .isEqualTo("rw-------");
    TokenStore again = TokenStore.openOrInit(dir.resolve("t.json"), dir.resolve("admin.token"));
    assertThat(again.verify(admin)).as("kept as it was").isPresent();
  }

  @Test
  void namesRolesAndTokensAreChecked() {
    TokenStore store = TokenStore.open(dir.resolve("tokens.json"));
    store.add("ci", Role.VIEWER);
    assertThatThrownBy(() -> store.add("ci", Role.ADMIN)).hasMessageContaining("exists already");
    assertThatThrownBy(() -> store.add("../x", Role.ADMIN)).hasMessageContaining("invalid");
    assertThatThrownBy(() -> Role.parse("root"))
        .hasMessageContaining("not viewer, operator or admin");
    assertThatThrownBy(() -> BearerToken.parse("Bearer abc"))
        .hasMessageContaining("not a Ferry token");
    assertThat(Role.ADMIN.covers(Role.OPERATOR)).isTrue();
    assertThat(Role.VIEWER.covers(Role.OPERATOR)).isFalse();
  }
}
