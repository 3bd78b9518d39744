package dev.firesafe.chunking;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chunker against its definition (a byte-at-a-time reference written from the docs, independent of the fast
 * loops), across read and write sizes, and for the properties deduplication needs. Small sizes (min 1 KiB, avg
 * 4 KiB, max 16 KiB) so that a few hundred KiB give hundreds of chunks; fixed seeds, so every run is the same.
 */
class ChunkerTest {

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static byte[] secret(int seed) {
        byte[] s = new byte[32];
        new Random(seed).nextBytes(s);
        return s;
    }

    static byte[] random(int seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Log-like text: low entropy, long repeats of common words; what most backed-up bytes look like. */
    static byte[] text(int seed, int n) {
        String[] words = ("the of and to in is that it for was on are as with server client request error info "
                + "debug user config value key token session cache queue worker job backup restore snapshot "
                + "volume disk network host port proxy 2026-12-06T10:15:00Z GET POST 200 404 500").split(" ");
        Random r = new Random(seed);
        byte[] b = new byte[n];
        int i = 0;
        while (i < n) {
            byte[] w = (words[r.nextInt(words.length)] + (r.nextInt(12) == 0 ? "\n" : " "))
                    .getBytes(StandardCharsets.US_ASCII);
            int k = Math.min(w.length, n - i);
            System.arraycopy(w, 0, b, i, k);
            i += k;
        }
        return b;
    }

    static ChunkerParams small(ChunkerParams.Algorithm a) {
        return new ChunkerParams(a, 1024, 4096, 16384);
    }

    // ---- the definition ------------------------------------------------------------------------------------

    /** Gear: fp at byte k is sum_{t<64} G[b[k-t]] << t, tested at every byte from min-1; cut at max. */
    static List<Integer> referenceGear(byte[] secret, ChunkerParams p, byte[] data) {
        long[] g = ChunkerKeys.table(secret, ChunkerParams.Algorithm.GEAR_KEYED, "gear-table");
        long[] m = ChunkerKeys.gearMasks(secret, p.avgBits() + 2, p.avgBits() - 2);
        List<Integer> out = new ArrayList<>();
        int start = 0;
        while (start < data.length) {
            int left = data.length - start;
            int len = Math.min(left, p.max());
            for (int k = p.min() - 1; k < Math.min(left, p.max()); k++) {
                long fp = 0;
                for (int t = 63; t >= 0; t--) {
                    fp = (fp << 1) + g[data[start + k - t] & 0xff];
                }
                long mask = k + 1 <= p.avg() ? m[0] : m[1];
                if ((fp & mask) == (m[2] & mask)) {
                    len = k + 1;
                    break;
                }
            }
            out.add(len);
            start += len;
        }
        return out;
    }

    /** Toeplitz-AES: d = sum_{t<64} x^t T[b[k-t]] mod P, cut when the low bits of AES_K(d) are zero. */
    static List<Integer> referenceAes(byte[] secret, ChunkerParams p, byte[] data) throws Exception {
        long[] t = ChunkerKeys.table(secret, ChunkerParams.Algorithm.TOEPLITZ_AES, "toeplitz-table");
        byte[] key = ChunkerKeys.derive(secret, ChunkerParams.Algorithm.TOEPLITZ_AES, "aes-128-key", 16);
        Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        List<Integer> out = new ArrayList<>();
        int start = 0;
        byte[] block = new byte[16];
        while (start < data.length) {
            int left = data.length - start;
            int len = Math.min(left, p.max());
            for (int k = p.min() - 1; k < Math.min(left, p.max()); k++) {
                long d = 0;
                for (int j = 63; j >= 0; j--) {
                    d = mulXSlow(d) ^ t[data[start + k - j] & 0xff];
                }
                LONG_LE.set(block, 0, d);
                long c = (long) LONG_LE.get(aes.doFinal(block), 0);
                int bits = k + 1 <= p.avg() ? p.avgBits() + 2 : p.avgBits() - 2;
                if ((c & ((1L << bits) - 1)) == 0) {
                    len = k + 1;
                    break;
                }
            }
            out.add(len);
            start += len;
        }
        return out;
    }

    /** d*x mod (x^64 + x^4 + x^3 + x + 1), written out long-hand. */
    static long mulXSlow(long d) {
        boolean carry = d < 0;
        long r = d << 1;
        return carry ? r ^ 0b11011 : r;
    }

    static List<Integer> lengths(Chunker c, byte[] data) {
        return Arrays.stream(c.lengths(data, 0, data.length)).boxed().toList();
    }

    @Test
    void gearMatchesItsDefinitionOnRandomAndTextData() {
        byte[] s = secret(1);
        ChunkerParams p = small(ChunkerParams.Algorithm.GEAR_KEYED);
        Chunker c = Chunker.create(s, p);
        for (byte[] data : List.of(random(2, 400_000), text(3, 400_000))) {
            List<Integer> expected = referenceGear(s, p, data);
            assertTrue(expected.size() > 50, "enough chunks to mean something: " + expected.size());
            assertEquals(expected, lengths(c, data));
        }
    }

    @Test
    void gearMatchesItsDefinitionWithOddSizes() {
        // min/avg/max not powers of two and not multiples of 4: the unrolled loop's tails and phase edges
        byte[] s = secret(4);
        ChunkerParams p = ChunkerParams.gear(1001, 3001, 7003);
        Chunker c = Chunker.create(s, p);
        byte[] data = random(5, 300_000);
        assertEquals(referenceGear(s, p, data), lengths(c, data));
    }

    @Test
    void toeplitzAesMatchesItsDefinition() throws Exception {
        byte[] s = secret(6);
        ChunkerParams p = ChunkerParams.toeplitzAes(1001, 3001, 7003);
        Chunker c = Chunker.create(s, p);
        for (byte[] data : List.of(random(7, 150_000), text(8, 150_000))) {
            List<Integer> expected = referenceAes(s, p, data);
            assertTrue(expected.size() > 20, "chunks: " + expected.size());
            assertEquals(expected, lengths(c, data));
        }
    }

    @Test
    void toeplitzRollMatchesTheSlowMultiply() {
        Random r = new Random(9);
        for (int i = 0; i < 10_000; i++) {
            long d = r.nextLong();
            assertEquals(mulXSlow(d), ToeplitzAesCutter.mulX(d));
        }
    }

    /**
     * P = x^64 + x^4 + x^3 + x + 1 must be irreducible over GF(2) for the Toeplitz hash to be 2^-64-universal.
     * Rabin's test: x^(2^64) = x mod P, and gcd(x^(2^32) - x, P) = 1 (64's only prime factor is 2).
     */
    @Test
    void toeplitzModulusIsIrreducible() {
        java.math.BigInteger p = java.math.BigInteger.ONE.shiftLeft(64).or(java.math.BigInteger.valueOf(0x1B));
        java.math.BigInteger x = java.math.BigInteger.TWO;
        java.math.BigInteger y = x;
        for (int i = 1; i <= 64; i++) {
            y = Gf2.mod(Gf2.mul(y, y), p);
            if (i == 32) {
                assertEquals(java.math.BigInteger.ONE, Gf2.gcd(y.xor(x), p), "gcd(x^(2^32) - x, P)");
            }
        }
        assertEquals(x, y, "x^(2^64) mod P");
        // and the test can fail: x^64 + 1 = (x + 1)^64 is reducible
        java.math.BigInteger q = java.math.BigInteger.ONE.shiftLeft(64).or(java.math.BigInteger.ONE);
        y = x;
        for (int i = 1; i <= 32; i++) {
            y = Gf2.mod(Gf2.mul(y, y), q);
        }
        assertNotEquals(java.math.BigInteger.ONE, Gf2.gcd(y.xor(x), q));
    }

    /** Polynomials over GF(2) as BigInteger bit sets; test-only. */
    static final class Gf2 {
        static java.math.BigInteger mul(java.math.BigInteger a, java.math.BigInteger b) {
            java.math.BigInteger r = java.math.BigInteger.ZERO;
            for (int i = 0; i < b.bitLength(); i++) {
                if (b.testBit(i)) {
                    r = r.xor(a.shiftLeft(i));
                }
            }
            return r;
        }

        static java.math.BigInteger mod(java.math.BigInteger a, java.math.BigInteger m) {
            int dm = m.bitLength();
            while (a.bitLength() >= dm) {
                a = a.xor(m.shiftLeft(a.bitLength() - dm));
            }
            return a;
        }

        static java.math.BigInteger gcd(java.math.BigInteger a, java.math.BigInteger b) {
            while (b.signum() != 0) {
                java.math.BigInteger t = mod(a, b);
                a = b;
                b = t;
            }
            return a;
        }
    }

    // ---- properties ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(ChunkerParams.Algorithm.class)
    void sameSecretSameDataSameChunks(ChunkerParams.Algorithm a) {
        byte[] data = text(10, 300_000);
        List<Integer> one = lengths(Chunker.create(secret(11), small(a)), data);
        List<Integer> two = lengths(Chunker.create(secret(11), small(a)), data);
        assertEquals(one, two);
        assertTrue(one.size() > 20);
    }

    @ParameterizedTest
    @EnumSource(ChunkerParams.Algorithm.class)
    void readAndWriteSizesDoNotChangeChunks(ChunkerParams.Algorithm a) throws IOException {
        byte[] data = concat(text(12, 150_000), random(13, 150_000), new byte[40_000], text(14, 61_111));
        Chunker c = Chunker.create(secret(15), small(a));
        List<byte[]> expected = chunksOf(c, data);
        assertTrue(expected.size() > 40);

        // pull, with reads of 1..5000 bytes and several buffer sizes, one reader reused
        for (int readSize : new int[] {1, 100, 5000, 1 << 20}) {
            ChunkReader reader = c.newReader(readSize);
            for (int seed = 0; seed < 3; seed++) {
                reader.reset(new Trickle(data, new Random(seed), seed == 0 ? 1 : 5000));
                List<byte[]> got = new ArrayList<>();
                long pos = 0;
                while (reader.next()) {
                    assertEquals(pos, reader.position());
                    got.add(Arrays.copyOfRange(reader.buffer(), reader.offset(), reader.offset() + reader.length()));
                    pos += reader.length();
                }
                assertChunksEqual(expected, got);
                assertFalse(reader.next(), "stays at the end");
            }
        }

        // an array in memory (views into it, no copy), alternating with a stream on the same reader
        byte[] padded = concat(new byte[7], data, new byte[3]);
        ChunkReader rr = c.newReader(5000);
        for (int round = 0; round < 2; round++) {
            rr.reset(padded, 7, data.length);
            List<byte[]> inPlace = new ArrayList<>();
            while (rr.next()) {
                assertTrue(rr.buffer() == padded, "a view into the caller's array");
                inPlace.add(Arrays.copyOfRange(rr.buffer(), rr.offset(), rr.offset() + rr.length()));
            }
            assertChunksEqual(expected, inPlace);
            rr.reset(new ByteArrayInputStream(data));
            List<byte[]> streamed = new ArrayList<>();
            while (rr.next()) {
                streamed.add(Arrays.copyOfRange(rr.buffer(), rr.offset(), rr.offset() + rr.length()));
            }
            assertChunksEqual(expected, streamed);
        }

        // push, with writes of random sizes (including single bytes), one stream object for three streams
        List<byte[]> got = new ArrayList<>();
        long[] next = {0};
        ChunkingOutputStream out = c.newOutputStream((pos, b, off, len) -> {
            assertEquals(next[0], pos);
            next[0] += len;
            got.add(Arrays.copyOfRange(b, off, off + len));
        });
        for (int seed = 0; seed < 3; seed++) {
            got.clear();
            next[0] = 0;
            Random r = new Random(seed);
            int i = 0;
            while (i < data.length) {
                int n = Math.min(data.length - i, r.nextInt(4) == 0 ? 1 : r.nextInt(seed == 2 ? 40_000 : 3000) + 1);
                if (n == 1) {
                    out.write(data[i]);
                } else {
                    out.write(data, i, n);
                }
                i += n;
            }
            out.finish();
            assertChunksEqual(expected, got);
        }

        // one write of everything, and the InputStream convenience
        got.clear();
        next[0] = 0;
        out.write(data);
        out.close();
        assertChunksEqual(expected, got);
        List<byte[]> viaStream = new ArrayList<>();
        assertEquals(data.length, c.chunk(new ByteArrayInputStream(data),
                (pos, b, off, len) -> viaStream.add(Arrays.copyOfRange(b, off, off + len))));
        assertChunksEqual(expected, viaStream);
    }

    @ParameterizedTest
    @EnumSource(ChunkerParams.Algorithm.class)
    void sizeLimitsHoldAndChunksConcatenateToTheInput(ChunkerParams.Algorithm a) throws IOException {
        ChunkerParams p = small(a);
        Chunker c = Chunker.create(secret(16), p);
        // zeros never match (or always match at min) a keyed test, so they show the max (or min) cut
        byte[] data = concat(random(17, 200_000), new byte[100_000], text(18, 200_000), new byte[777]);
        List<byte[]> chunks = chunksOf(c, data);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < chunks.size(); i++) {
            int len = chunks.get(i).length;
            assertTrue(len <= p.max(), "chunk " + i + " longer than max: " + len);
            if (i < chunks.size() - 1) {
                assertTrue(len >= p.min(), "chunk " + i + " shorter than min: " + len);
            }
            all.write(chunks.get(i));
        }
        assertArrayEquals(data, all.toByteArray());
        assertTrue(chunks.stream().anyMatch(ch -> ch.length == p.max()), "the zero run is cut at max");
    }

    @ParameterizedTest
    @EnumSource(ChunkerParams.Algorithm.class)
    void shortAndEmptyStreams(ChunkerParams.Algorithm a) throws IOException {
        ChunkerParams p = small(a);
        Chunker c = Chunker.create(secret(19), p);
        assertEquals(0, chunksOf(c, new byte[0]).size(), "empty input: no chunk");
        assertEquals(0, c.newReader().reset(InputStream.nullInputStream()).next() ? 1 : 0);
        List<byte[]> got = new ArrayList<>();
        ChunkingOutputStream out = c.newOutputStream((pos, b, off, len) -> got.add(new byte[len]));
        out.finish();
        assertEquals(0, got.size());
        for (int n : new int[] {1, 63, 64, 65, p.min() - 1, p.min()}) {
            byte[] d = random(n, n);
            List<byte[]> ch = chunksOf(c, d);
            assertEquals(1, ch.size(), "a stream of " + n + " bytes is one chunk");
            assertArrayEquals(d, ch.get(0));
        }
        // a stream of max + 10 bytes: at least two chunks, the last one possibly short, all bytes covered
        byte[] d = random(20, p.max() + 10);
        List<byte[]> ch = chunksOf(c, d);
        assertTrue(ch.size() >= 2);
        assertEquals(d.length, ch.stream().mapToInt(x -> x.length).sum());
    }

    @ParameterizedTest
    @EnumSource(ChunkerParams.Algorithm.class)
    void insertingBytesNearTheStartKeepsTheLaterChunks(ChunkerParams.Algorithm a) throws Exception {
        Chunker c = Chunker.create(secret(21), small(a));
        for (byte[] data : List.of(text(22, 400_000), random(23, 400_000))) {
            byte[] shifted = concat(Arrays.copyOfRange(data, 0, 1500), new byte[] {1, 2, 3, 4, 5},
                    Arrays.copyOfRange(data, 1500, data.length));
            List<String> before = ids(chunksOf(c, data));
            List<String> after = ids(chunksOf(c, shifted));
            Set<String> old = new HashSet<>(before);
            int fresh = 0;
            for (String id : after) {
                if (!old.contains(id)) {
                    fresh++;
                }
            }
            assertTrue(fresh <= 2, "new chunks after a 5-byte insert: " + fresh + " of " + after.size());
            assertEquals(before.subList(before.size() - (after.size() - fresh), before.size()),
                    after.subList(fresh, after.size()), "all but the first chunk or two are the same, in order");
            assertTrue(after.size() > 50);
        }
    }

    @ParameterizedTest
    @EnumSource(ChunkerParams.Algorithm.class)
    void otherKeysCutElsewhere(ChunkerParams.Algorithm a) {
        byte[] data = text(24, 400_000);
        Set<Long> ends1 = ends(lengths(Chunker.create(secret(25), small(a)), data));
        Set<Long> ends2 = ends(lengths(Chunker.create(secret(26), small(a)), data));
        Set<Long> common = new HashSet<>(ends1);
        common.retainAll(ends2);
        // independent boundaries at ~1/4000 density share only a few by chance (max cuts aside)
        assertTrue(common.size() < ends1.size() / 5, "shared boundaries: " + common.size() + " of " + ends1.size());
    }

    @Test
    void algorithmsCutDifferentlyWithTheSameSecret() {
        byte[] data = text(27, 300_000);
        assertNotEquals(lengths(Chunker.create(secret(28), small(ChunkerParams.Algorithm.GEAR_KEYED)), data),
                lengths(Chunker.create(secret(28), small(ChunkerParams.Algorithm.TOEPLITZ_AES)), data));
    }

    @ParameterizedTest
    @EnumSource(ChunkerParams.Algorithm.class)
    void meanChunkSizeIsNearAvg(ChunkerParams.Algorithm a) {
        ChunkerParams p = ChunkerParams.gear(2048, 8192, 65536).withAlgorithm(a);
        byte[] data = random(29, 4 << 20);
        List<Integer> l = lengths(Chunker.create(secret(30), p), data);
        double mean = data.length / (double) l.size();
        // FastCDC NC-2 with min = avg/4: the mean is close to avg
        assertTrue(mean > 0.8 * p.avg() && mean < 1.25 * p.avg(), "mean " + mean);
        long atMax = l.stream().filter(x -> x == p.max()).count();
        assertTrue(atMax <= 2, "normalized chunking almost never reaches max on random data: " + atMax);
    }

    /** Known answers: a change in the derivation or the test changes every boundary of every repository. */
    @Test
    void knownAnswers() {
        byte[] s = new byte[32];
        for (int i = 0; i < 32; i++) {
            s[i] = (byte) i;
        }
        byte[] data = text(31, 100_000);
        assertEquals(KNOWN_GEAR, lengths(Chunker.create(s, small(ChunkerParams.Algorithm.GEAR_KEYED)), data)
                .subList(0, 8));
        assertEquals(KNOWN_AES, lengths(Chunker.create(s, small(ChunkerParams.Algorithm.TOEPLITZ_AES)), data)
                .subList(0, 8));
    }

    static final List<Integer> KNOWN_GEAR = List.of(5795, 3827, 4377, 4723, 5571, 4156, 5820, 3323);
    static final List<Integer> KNOWN_AES = List.of(4718, 4242, 10117, 6252, 4342, 4142, 4113, 1667);

    @Test
    void keyedMasks() {
        for (int seed = 0; seed < 20; seed++) {
            long[] m = ChunkerKeys.gearMasks(secret(seed), 22, 18);
            assertEquals(22, Long.bitCount(m[0]));
            assertEquals(18, Long.bitCount(m[1]));
            assertEquals(m[1], m[0] & m[1], "loose mask is a subset of the strict one");
            assertEquals(0, m[0] & ((1L << 13) - 1), "no bit below 13");
            assertEquals(0, m[0] >>> 61, "no bit above 60");
        }
        assertNotEquals(ChunkerKeys.gearMasks(secret(1), 22, 18)[0], ChunkerKeys.gearMasks(secret(2), 22, 18)[0]);
    }

    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> Chunker.create(new byte[16], small(
                ChunkerParams.Algorithm.GEAR_KEYED)));
        assertThrows(IllegalArgumentException.class, () -> ChunkerParams.gear(64, 4096, 16384));
        assertThrows(IllegalArgumentException.class, () -> ChunkerParams.gear(8192, 4096, 16384));
        assertThrows(IllegalArgumentException.class, () -> ChunkerParams.gear(1024, 4096, 2048));
        assertThrows(IllegalArgumentException.class, () -> ChunkerParams.gear(1024, 4096, 128 << 20));
        assertEquals(ChunkerParams.gear(512 << 10, 1 << 20, 8 << 20), ChunkerParams.parse("512K/1M/8M"));
        assertEquals(ChunkerParams.toeplitzAes(512 << 10, 2 << 20, 8 << 20),
                ChunkerParams.parse("fastcdc-toeplitz-aes-v1:512K/2M/8M"));
        assertEquals("fastcdc-gear-keyed-v1:512K/1M/8M", ChunkerParams.gear(512 << 10, 1 << 20, 8 << 20).toString());
        assertEquals(20, ChunkerParams.gear(512 << 10, 1 << 20, 8 << 20).avgBits());
        assertEquals("fastcdc-gear-keyed-v1:256K/512K/2M", ChunkerParams.DEFAULT.toString());
        assertEquals(ChunkerParams.DEFAULT, ChunkerParams.parse(ChunkerParams.DEFAULT.toString()));
        assertEquals(20, ChunkerParams.gear(512 << 10, 1_400_000, 8 << 20).avgBits());
        assertEquals(21, ChunkerParams.gear(512 << 10, 1_500_000, 8 << 20).avgBits());
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    static List<byte[]> chunksOf(Chunker c, byte[] data) throws IOException {
        List<byte[]> out = new ArrayList<>();
        c.chunk(data, 0, data.length, (pos, b, off, len) -> out.add(Arrays.copyOfRange(b, off, off + len)));
        return out;
    }

    static void assertChunksEqual(List<byte[]> expected, List<byte[]> got) {
        assertEquals(expected.size(), got.size(), "chunk count");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), got.get(i), "chunk " + i);
        }
    }

    static List<String> ids(List<byte[]> chunks) throws Exception {
        List<String> out = new ArrayList<>();
        for (byte[] ch : chunks) {
            out.add(java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ch)));
        }
        return out;
    }

    static Set<Long> ends(List<Integer> lengths) {
        Set<Long> out = new HashSet<>();
        long e = 0;
        for (int l : lengths) {
            e += l;
            out.add(e);
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    /** An InputStream that hands out at most a random 1..limit bytes per read. */
    static final class Trickle extends InputStream {
        private final byte[] data;
        private final Random r;
        private final int limit;
        private int i;

        Trickle(byte[] data, Random r, int limit) {
            this.data = data;
            this.r = r;
            this.limit = limit;
        }

        @Override
        public int read() {
            return i < data.length ? data[i++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (i >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, data.length - i), 1 + r.nextInt(limit));
            System.arraycopy(data, i, b, off, n);
            i += n;
            return n;
        }
    }
}
