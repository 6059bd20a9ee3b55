package io.ramcast.bench.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A tiny TCP process for link-cutting tests, run under a uid of its own: it listens on a loopback
 * port, prints {@code GOT <line>} for every line it receives and answers {@code ECHO <line>}; on
 * stdin it takes commands and prints one result line each:
 * <ul>
 *   <li>{@code PING <port> <timeoutMs>}: a new connection (a new ephemeral port), one line, its
 *       echo: {@code PING OK}, {@code PING TIMEOUT <connect|read>} or {@code PING ERROR <what>};</li>
 *   <li>{@code OPEN <port>}: a long-lived connection (replacing the last), {@code OPEN OK} or
 *       {@code OPEN ERROR <what>}; echoes that come back on it print {@code REPLY <line>};</li>
 *   <li>{@code SEND <text>}: a line on that connection, {@code SENT} (it may not arrive).</li>
 * </ul>
 * Exits when stdin closes (the test is gone). Every wait is bounded by the given timeouts.
 */
public final class EchoPeer
{
    private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    private static Socket open;
    private static int pings;

    private EchoPeer()
    {
    }

    /**
     * @param args the loopback port to listen on.
     * @throws IOException if it cannot listen or stdin fails.
     */
    public static void main(final String[] args) throws IOException
    {
        final ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])));
        daemon(() -> accept(server), "accept");
        say("READY " + server.getLocalPort());
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null)
        {
            final String[] words = line.trim().split(" ", 2);
            switch (words[0])
            {
                case "PING" -> ping(words[1]);
                case "OPEN" -> open(Integer.parseInt(words[1].trim()));
                case "SEND" -> send(words[1]);
                default -> say("UNKNOWN " + line);
            }
        }
        System.exit(0);
    }

    private static synchronized void say(final String line)
    {
        OUT.println(line);
    }

    private static void daemon(final Runnable body, final String name)
    {
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void accept(final ServerSocket server)
    {
        try
        {
            while (true)
            {
                final Socket socket = server.accept();
                daemon(() -> serve(socket), "serve");
            }
        }
        catch (final IOException ex)
        {
            say("ACCEPT ERROR " + ex);
        }
    }

    private static void serve(final Socket socket)
    {
        try (socket; BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)))
        {
            final OutputStream out = socket.getOutputStream();
            String line;
            while ((line = in.readLine()) != null)
            {
                say("GOT " + line);
                out.write(("ECHO " + line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
        catch (final IOException ex)
        {
            // the peer went away or the test cut the connection for good: nothing to answer
        }
    }

    private static void ping(final String args)
    {
        final String[] words = args.trim().split(" ");
        final int port = Integer.parseInt(words[0]);
        final int timeoutMs = Integer.parseInt(words[1]);
        final String text = "ping-" + (++pings);
        try (Socket socket = new Socket())
        {
            try
            {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeoutMs);
            }
            catch (final SocketTimeoutException ex)
            {
                say("PING TIMEOUT connect");
                return;
            }
            socket.setSoTimeout(timeoutMs);
            socket.getOutputStream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
            final BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            try
            {
                final String reply = in.readLine();
                say(("ECHO " + text).equals(reply) ? "PING OK" : "PING ERROR reply " + reply);
            }
            catch (final SocketTimeoutException ex)
            {
                say("PING TIMEOUT read");
            }
        }
        catch (final IOException ex)
        {
            say("PING ERROR " + ex);
        }
    }

    private static void open(final int port)
    {
        try
        {
            if (open != null)
            {
                open.close();
            }
            final Socket socket = new Socket();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            open = socket;
            daemon(() -> readReplies(socket), "replies");
            say("OPEN OK");
        }
        catch (final IOException ex)
        {
            say("OPEN ERROR " + ex);
        }
    }

    private static void readReplies(final Socket socket)
    {
        try
        {
            final BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null)
            {
                say("REPLY " + line);
            }
        }
        catch (final IOException ex)
        {
            // closed by a later OPEN or by exit
        }
    }

    private static void send(final String text)
    {
        try
        {
            open.getOutputStream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
            open.getOutputStream().flush();
            say("SENT");
        }
        catch (final IOException | RuntimeException ex)
        {
            say("SEND ERROR " + ex);
        }
    }
}
