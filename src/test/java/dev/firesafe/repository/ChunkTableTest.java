package dev.firesafe.repository;

import dev.firesafe.repository.format.ChunkLocation;
import dev.firesafe.repository.format.ChunkRef;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The flat, in-place sorted chunk table (issue #18 point 2): every entry found by id where it was, in any order. */
class ChunkTableTest {

    @Test
    void entriesAddedInAnyOrderAreFoundByIdAtTheirPlace() {
        Random random = new Random(3);
        List<byte[]> ids = new ArrayList<>();
        List<ChunkLocation> places = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            byte[] id = new byte[ChunkRef.ID_BYTES];
            random.nextBytes(id);
            ids.add(id);
            places.add(new ChunkLocation("b1", 1000L * (i / 7), 900, (i % 7) * 100, 50 + i % 7));
        }
        List<Integer> shuffled = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            shuffled.add(i);
        }
        Collections.shuffle(shuffled, random);
        ChunkTable.Builder builder = new ChunkTable.Builder(100); // grows past what it was told
        for (int i : shuffled) {
            builder.add(ids.get(i), places.get(i));
        }
        ChunkTable table = builder.build("b1");

        assertEquals(ids.size(), table.size());
        for (int i = 0; i < ids.size(); i++) {
            int at = table.find(ids.get(i));
            assertTrue(at >= 0, "entry " + i + " not found");
            assertEquals(places.get(i), table.location(at));
            assertTrue(table.isAt(at, places.get(i)));
        }
        int[] order = table.storageOrder();
        for (int k = 1; k < order.length; k++) {
            ChunkLocation a = table.location(order[k - 1]);
            ChunkLocation b = table.location(order[k]);
            assertTrue(a.blockOffset() < b.blockOffset()
                    || a.blockOffset() == b.blockOffset() && a.offsetInBlock() <= b.offsetInBlock());
        }
        // chunks packed in one block share its stored size by raw length: 7 chunks of 50..56 bytes, block 900
        int first = table.find(ids.get(0));
        assertEquals(900L * 50 / (600 + 56), table.storedBytes(first));
    }
}
