package dev.firesafe.host.wal;

import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.engine.walstream.ArchiveShipping;
import dev.firesafe.engine.walstream.WalShipping;
import dev.firesafe.host.functions.FunctionCatalog;
import dev.firesafe.plan.Plan;
import dev.firesafe.repository.wal.WalArchive;
import dev.firesafe.store.StoreRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/** Opens a stream's {@link WalShipping}: the plan's WAL archive on each of its targets, sealed like its backups. */
@ApplicationScoped
public class ArchiveShippings {

    private final StoreRegistry stores;
    private final KeySource keys;
    private final FunctionCatalog catalog;
    private final FiresafeConfig config;

    @Inject
    public ArchiveShippings(StoreRegistry stores, KeySource keys, FunctionCatalog catalog, FiresafeConfig config) {
        this.stores = stores;
        this.keys = keys;
        this.catalog = catalog;
        this.config = config;
    }

    WalShipping open(Plan plan) {
        List<Supplier<WalArchive>> openers = catalog.targetsOf(plan).stream().<Supplier<WalArchive>>map(
                uri -> () -> WalArchive.forPushing(stores.open(uri), plan.name(), keys.forBackup(),
                        keys.contentKey(), keys.forReadingIfAny(), config.compressionLevel(), Clock.systemUTC()))
                .toList();
        return new ArchiveShipping(openers);
    }
}
