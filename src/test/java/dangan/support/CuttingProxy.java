package dangan.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy in front of a real server (the fault trials' IMAP server) that cuts a connection at a moment
 * given by the bytes on the wire, not by the clock: once the server has sent a marker and then a number of
 * bytes more (a connection dropped in the middle of a mail), or when the client sends a marker (the command
 * is never forwarded). A cut is armed once and cuts one connection; every other byte passes through.
 */
public final class CuttingProxy implements AutoCloseable {

    /** Where the next cut falls: after (or, from the client, before) the first match of the pattern. */
    public record Cut(Pattern marker, boolean fromServer, int bytesAfter) {
        /** Cut once the server has sent the text and {@code bytesAfter} bytes more. */
        public static Cut serverSent(String text, int bytesAfter) {
            return new Cut(Pattern.compile(Pattern.quote(text)), true, bytesAfter);
        }

        /** Cut when the client sends a command line matching the pattern: no byte of that line reaches the server. */
        public static Cut clientSends(String pattern) {
            return new Cut(Pattern.compile(pattern), false, 0);
        }
    }

    private final ServerSocket listener;
    private final int target;
    private final AtomicReference<Cut> armed = new AtomicReference<>();
    private final AtomicInteger cuts = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    public CuttingProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "cutting-proxy-" + listener.getLocalPort());
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Arms the next cut. */
    public void arm(Cut cut) {
        armed.set(cut);
    }

    /** Connections cut so far. */
    public int cuts() {
        return cuts.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                open.add(client);
                open.add(server);
                pump(server, client, true, client, server);
                pump(client, server, false, client, server);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromServer, Socket client, Socket server) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            String window = "";
            int counting = -1; // bytes still to pass after the marker, once the marker was seen
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) != -1) {
                    Cut cut = armed.get();
                    int pass = n;
                    boolean cutNow = false;
                    if (cut != null && cut.fromServer() == fromServer) {
                        String text = window + new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
                        if (counting < 0) {
                            Matcher found = cut.marker().matcher(text);
                            int at = found.find() ? found.start() : -1;
                            if (at >= 0 && !fromServer) {
                                // the command line with the marker never reaches the server (nor any part of it)
                                pass = Math.max(0, text.lastIndexOf('\n', at) + 1 - window.length());
                                cutNow = true;
                            } else if (at >= 0) {
                                int markerEnd = Math.max(0, found.end() - window.length()); // in this read
                                int rest = n - markerEnd;
                                if (rest >= cut.bytesAfter()) {
                                    pass = markerEnd + cut.bytesAfter();
                                    cutNow = true;
                                } else {
                                    counting = cut.bytesAfter() - rest;
                                }
                            }
                        } else if (n >= counting) {
                            pass = counting;
                            cutNow = true;
                        } else {
                            counting -= n;
                        }
                        window = text.length() > 64 ? text.substring(text.length() - 64) : text;
                        if (cutNow && armed.compareAndSet(cut, null)) {
                            out.write(buffer, 0, pass);
                            out.flush();
                            cuts.incrementAndGet();
                            closeBoth(client, server);
                            return;
                        }
                    }
                    out.write(buffer, 0, pass);
                    out.flush();
                }
            } catch (IOException e) {
                // the other side closed, or the cut
            } finally {
                closeBoth(client, server);
            }
        }, "cutting-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void closeBoth(Socket client, Socket server) {
        for (Socket s : new Socket[]{client, server}) {
            try {
                s.close();
            } catch (IOException e) {
                // closed already
            }
            open.remove(s);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : open) s.close();
    }
}
