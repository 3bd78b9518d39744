package dev.firesafe.store.local;

import dev.firesafe.store.Store;
import dev.firesafe.store.StoreBackend;
import dev.firesafe.store.StoreUri;

/** Folders on a local or mounted file system: {@code file:///PATH} or a plain path ({@code ~} is the home folder). */
public final class LocalBackend implements StoreBackend {

    @Override
    public String scheme() {
        return "file";
    }

    @Override
    public String form() {
        return "file:///PATH or a plain path";
    }

    @Override
    public String check(StoreUri uri) {
        return new LocalStore(uri.localFolder().orElseThrow()).describe();
    }

    @Override
    public Store open(StoreUri uri) {
        return new LocalStore(uri.localFolder().orElseThrow());
    }
}
