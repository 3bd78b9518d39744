package dev.firesafe.repository;

/**
 * Sorts positions 0..n-1 by a comparison of positions, in int arrays: no boxed Integer per element (a million
 * chunks sorted through {@code Integer[]} cost ~20 MiB of heap, and tables are sorted in small heaps).
 */
final class IntSort {

    /** Compares two positions. */
    interface Comparison {
        int compare(int a, int b);
    }

    private IntSort() {
    }

    /** The positions 0..n-1 in the order {@code cmp} gives (stable merge sort). */
    static int[] sorted(int n, Comparison cmp) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        boolean inOrder = true;
        for (int i = 1; i < n && inOrder; i++) {
            inOrder = cmp.compare(i - 1, i) <= 0;
        }
        if (inOrder) {
            return a; // an index written in order (the common case) costs one pass
        }
        int[] b = new int[n];
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                int i = lo;
                int j = mid;
                int k = lo;
                while (i < mid && j < hi) {
                    b[k++] = cmp.compare(a[i], a[j]) <= 0 ? a[i++] : a[j++];
                }
                while (i < mid) {
                    b[k++] = a[i++];
                }
                while (j < hi) {
                    b[k++] = a[j++];
                }
            }
            int[] t = a;
            a = b;
            b = t;
        }
        return a;
    }
}
