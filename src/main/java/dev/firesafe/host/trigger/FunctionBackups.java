package dev.firesafe.host.trigger;

import dev.firesafe.host.functions.FunctionCatalog;

import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.engine.backup.BackupService;
import dev.firesafe.core.Progress;

/** The production {@link RunAction}: the function's plan through the one backup pipeline (built by app.Services). */
public class FunctionBackups implements RunAction {

    private final FunctionCatalog catalog;
    private final BackupService service;

    public FunctionBackups(FunctionCatalog catalog, BackupService service) {
        this.catalog = catalog;
        this.service = service;
    }

    @Override
    public BackupResult run(String function) {
        return service.run(catalog.require(function).plan(), Progress.NONE);
    }
}
