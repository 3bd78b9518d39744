package dev.firesafe.nativeimage;

/** Whether optional libraries are on the class path the native-image builder analyses (and the JVM runs). */
final class OptionalClasses {
    private OptionalClasses() {
    }

    /** True when every named class can be found, without initialising any of them. */
    static boolean allPresent(String... classNames) {
        for (String name : classNames) {
            try {
                Class.forName(name, false, OptionalClasses.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }
        return true;
    }
}
