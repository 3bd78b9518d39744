package dev.firesafe.postgres;

import dev.firesafe.core.FiresafeException;

/** A server's {@code server_version_num} (150014 is 15.14; before 10, 90624 is 9.6.24). */
public record ServerVersion(int num) {

    public static ServerVersion parse(String text, String serverName) {
        try {
            return new ServerVersion(Integer.parseInt(text.strip()));
        } catch (NumberFormatException e) {
            throw FiresafeException.source("PostgreSQL server " + serverName + " answered SHOW server_version_num "
                    + "with something that is not a number");
        }
    }

    public int major() {
        return num / 10000; // 9.6 counts as 9: pre-10 servers are long out of support, only compared here
    }

    public String text() {
        return num >= 100000 ? major() + "." + num % 10000 : (num / 10000) + "." + (num / 100 % 100) + "." + num % 100;
    }
}
