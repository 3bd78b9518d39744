package dev.firesafe.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 in front of a loopback server, with two faults a test can switch on:
 * <ul>
 *   <li>{@link #cutOnceAfter}: the first connection that has sent more than N response bytes is closed
 *       mid-stream (only object bodies are that large), once;</li>
 *   <li>{@link #dieAfterRequestBytes}: once clients have sent more than N bytes in all, the proxy stops like a
 *       crashed server: every open connection is closed and new ones are refused;</li>
 *   <li>{@link #dieAfterFirstRequest}: the same, as soon as a second request (of requests without a body) starts,
 *       on the first request's connection or on a new one;</li>
 *   <li>{@link #requireAccessKey}: a connection whose first request is signed with another access key id gets
 *       S3's answer to an unknown key (403 InvalidAccessKeyId), since S3Mock itself accepts any credentials;</li>
 *   <li>{@link #dropRangeHeaders}: the Range header of every request is removed, as by a cache or server that
 *       ignores ranges: a ranged or resumed GET then gets the whole object (200) from its first byte. Each
 *       request is sent with {@code Connection: close}, so each is the first of its connection.</li>
 * </ul>
 */
public final class LoopbackProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int upstreamPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile long cutAfter = -1;
    private volatile long dieAfter = -1;
    private volatile boolean dieAfterFirst;
    private final AtomicBoolean firstForwarded = new AtomicBoolean();
    private final AtomicLong requestBytes = new AtomicLong();
    private volatile String accessKey;
    private volatile boolean dropRange;
    private final AtomicInteger cuts = new AtomicInteger();
    private final AtomicBoolean sawRange = new AtomicBoolean();
    private final List<String> lockHeaders = new CopyOnWriteArrayList<>();
    private static final Pattern LOCK_HEADER = Pattern.compile("(?i)\r\n(x-amz-object-lock-[a-z-]+: [^\r]+)(?=\r\n)");

    public LoopbackProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    public LoopbackProxy cutOnceAfter(long bytes) {
        cutAfter = bytes;
        return this;
    }

    public LoopbackProxy dieAfterRequestBytes(long bytes) {
        dieAfter = bytes;
        return this;
    }

    public LoopbackProxy dieAfterFirstRequest() {
        dieAfterFirst = true;
        return this;
    }

    /** Whether {@link #dieAfterRequestBytes} or {@link #dieAfterFirstRequest} has struck. */
    public boolean died() {
        return server.isClosed();
    }

    public LoopbackProxy requireAccessKey(String id) {
        accessKey = id;
        return this;
    }

    public LoopbackProxy dropRangeHeaders() {
        dropRange = true;
        return this;
    }

    public int cuts() {
        return cuts.get();
    }

    /** Whether any request carried a Range header (a resumed GET). */
    public boolean sawRangeRequest() {
        return sawRange.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread t = new Thread(() -> serve(client), "proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            sockets.add(upstream);
            InputStream fromClient = client.getInputStream();
            byte[] head = readHead(fromClient);
            String headText = new String(head, StandardCharsets.ISO_8859_1);
            String required = accessKey;
            if (required != null && !headText.contains("Credential=" + required + "/")) {
                byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>InvalidAccessKeyId</Code>"
                        + "<Message>The AWS Access Key Id you provided does not exist in our records.</Message>"
                        + "</Error>").getBytes(StandardCharsets.UTF_8);
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\nContent-Length: "
                        + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
                return;
            }
            long die = dieAfter;
            if ((dieAfterFirst && !firstForwarded.compareAndSet(false, true))
                    || (die >= 0 && requestBytes.addAndGet(head.length) > die)) {
                close(); // a client's new connection counts like its next request on an open one
                return;
            }
            noteRange(headText);
            if (dropRange) {
                // Only a connection's first request head is rewritten here, so each request must come on a new
                // connection: with keep-alive, a later GET kept its Range and the test passed or not by how the
                // client happened to reuse connections.
                head = headText.replaceAll("(?i)\r\n(range|connection): [^\r]*", "")
                        .replaceFirst("\r\n\r\n", "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1);
            }
            upstream.getOutputStream().write(head);
            Thread up = new Thread(() -> pump(fromClient, upstream, client, true), "proxy-up");
            up.setDaemon(true);
            up.start();
            pump(upstream.getInputStream(), client, upstream, false);
            up.join();
        } catch (IOException | InterruptedException e) {
            // a connection ending is normal for a proxy
        }
    }

    /** Reads up to the end of the first request's headers (or what arrives of them). */
    private static byte[] readHead(InputStream in) throws IOException {
        byte[] buf = new byte[16384];
        int n = 0;
        while (n < buf.length) {
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                break;
            }
            n += r;
            if (new String(buf, 0, n, StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                break;
            }
        }
        return java.util.Arrays.copyOf(buf, n);
    }

    /** The Object Lock headers (name: value) seen in requests, since S3Mock accepts but does not keep them. */
    public List<String> objectLockHeaders() {
        return List.copyOf(lockHeaders);
    }

    private void noteRange(String text) {
        Matcher m = LOCK_HEADER.matcher(text);
        while (m.find()) {
            lockHeaders.add(m.group(1));
        }
        if (text.toLowerCase(Locale.ROOT).contains("\r\nrange: bytes=")) {
            sawRange.set(true);
        }
    }

    private void pump(InputStream in, Socket to, Socket from, boolean request) {
        byte[] buf = new byte[8192];
        long total = 0;
        try {
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) > 0) {
                if (request) {
                    noteRange(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    long die = dieAfter;
                    if (dieAfterFirst || (die >= 0 && requestBytes.addAndGet(n) > die)) {
                        close();
                        return;
                    }
                }
                long limit = cutAfter;
                if (!request && limit >= 0 && total + n > limit && cuts.compareAndSet(0, 1)) {
                    out.write(buf, 0, (int) (limit - total));
                    out.flush();
                    to.close();
                    from.close();
                    return;
                }
                out.write(buf, 0, n);
                total += n;
            }
            to.shutdownOutput();
        } catch (IOException e) {
            try {
                to.close();
                from.close();
            } catch (IOException ignored) {
                // already closing
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
