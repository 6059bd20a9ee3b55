package io.ramcast.multicast.fabric.rdma;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.LinkedList;
import java.util.Map;

import com.ibm.disni.verbs.IbvCQ;
import com.ibm.disni.verbs.IbvCompChannel;
import com.ibm.disni.verbs.IbvContext;
import com.ibm.disni.verbs.IbvMr;
import com.ibm.disni.verbs.IbvPd;
import com.ibm.disni.verbs.IbvQP;
import com.ibm.disni.verbs.IbvQPInitAttr;
import com.ibm.disni.verbs.IbvRecvWR;
import com.ibm.disni.verbs.IbvSendWR;
import com.ibm.disni.verbs.IbvSge;
import com.ibm.disni.verbs.IbvWC;
import com.ibm.disni.verbs.RdmaCm;
import com.ibm.disni.verbs.RdmaCmEvent;
import com.ibm.disni.verbs.RdmaCmId;
import com.ibm.disni.verbs.RdmaConnParam;
import com.ibm.disni.verbs.RdmaEventChannel;
import com.ibm.disni.verbs.SVCPollCq;
import com.ibm.disni.verbs.SVCPostSend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Verbs} over DiSNI 2.1's verbs API ({@code com.ibm.disni.verbs}): one RDMA event channel
 * polled without blocking, one protection domain on the device the connections resolve to, one
 * completion queue per queue pair, and DiSNI's stateful verb calls ({@link SVCPostSend},
 * {@link SVCPollCq}) prepared once per connection and re-executed with modified fields, so the
 * write path allocates nothing.
 *
 * <p>The only class that touches DiSNI. Its first use loads {@code libdisni} (DiSNI's native
 * library, which must be on {@code java.library.path}); {@link RdmaEnvironment#probe} checks
 * beforehand so that a missing library is reported with install instructions instead.
 *
 * <p>Not exercised on RDMA hardware in this repository's builds (none is available there); the
 * fabric logic above it is tested against an in-memory fake of {@link Verbs}.
 *
 * <p>Threading: the fabric's agent thread only.
 */
final class DisniVerbs implements Verbs
{
    private static final Logger LOG = LoggerFactory.getLogger(DisniVerbs.class);
    private static final int POLL_BATCH = 64;
    private static final byte RETRY_COUNT = 7;
    private static final byte RNR_RETRY_COUNT = 7;

    private final RdmaEventChannel channel;
    private final int resolveTimeoutMs;
    private final Map<RdmaCmId, DisniConnection> connectionById = new IdentityHashMap<>();
    private IbvContext context;
    private IbvPd pd;
    private boolean closed;

    private DisniVerbs(final RdmaEventChannel channel, final int resolveTimeoutMs)
    {
        this.channel = channel;
        this.resolveTimeoutMs = resolveTimeoutMs;
    }

    /**
     * Opens the RDMA event channel (loading {@code libdisni}).
     *
     * @param resolveTimeoutMs timeout of route resolution after address resolution.
     * @return the verbs.
     * @throws IOException if the channel cannot be created.
     */
    static DisniVerbs open(final int resolveTimeoutMs) throws IOException
    {
        return new DisniVerbs(RdmaEventChannel.createEventChannel(), resolveTimeoutMs);
    }

    @Override
    public Listener listen(final InetSocketAddress address, final int backlog) throws IOException
    {
        final InetSocketAddress usable = RdmaAddresses.usable(address);
        final RdmaCmId id = channel.createId(RdmaCm.RDMA_PS_TCP);
        id.bindAddr(usable);
        id.listen(backlog);
        final IbvContext verbs = id.getVerbs();
        if (null != verbs)
        {
            protectionDomain(verbs);
        }
        return () ->
        {
            try
            {
                id.destroyId();
            }
            catch (final IOException ex)
            {
                LOG.warn("destroying the listening rdma id on {} failed", address, ex);
            }
        };
    }

    @Override
    public Connection connect(final InetSocketAddress remote, final int timeoutMs) throws IOException
    {
        final InetSocketAddress usable = RdmaAddresses.usable(remote);
        final RdmaCmId id = channel.createId(RdmaCm.RDMA_PS_TCP);
        final DisniConnection connection = new DisniConnection(id);
        connectionById.put(id, connection);
        try
        {
            id.resolveAddr(null, usable, timeoutMs);
        }
        catch (final IOException ex)
        {
            connection.close();
            throw ex;
        }
        return connection;
    }

    @Override
    public int pollCmEvents(final CmEventHandler handler, final int limit) throws IOException
    {
        int count = 0;
        while (count < limit)
        {
            final RdmaCmEvent event = channel.getCmEvent(0);
            if (null == event)
            {
                break;
            }
            count++;
            final int type = event.getEvent();
            final RdmaCmId id = event.getConnIdPriv();
            // Acknowledge first: destroying an id waits for its events to be acknowledged.
            event.ackEvent();
            dispatch(handler, type, id);
        }
        return count;
    }

    /**
     * Hands an event on. Only its type is known: DiSNI 2.1's native {@code getCmEvent} returns the
     * event type alone, and {@code RdmaCmEvent.getStatus()} is always -1, so the status of a
     * REJECTED or CONNECT_ERROR event (the peer's reject reason, an errno) never reaches Java. A
     * peer of this fabric that turns a connection down says why in its handshake (a REFUSE) or in its
     * log; the detail says the rest is unknown rather than printing the -1.
     */
    private void dispatch(final CmEventHandler handler, final int type, final RdmaCmId id)
    {
        final RdmaCmEvent.EventType[] types = RdmaCmEvent.EventType.values();
        final RdmaCmEvent.EventType eventType = type >= 0 && type < types.length ? types[type] : null;
        final String name = null == eventType ? "event " + type : eventType.name();
        final String detail = RdmaCmEvent.EventType.RDMA_CM_EVENT_REJECTED == eventType ||
            RdmaCmEvent.EventType.RDMA_CM_EVENT_CONNECT_ERROR == eventType ?
            name + " (DiSNI 2.1 does not pass the event's status on: see the peer's log for why)" : name;
        if (RdmaCmEvent.EventType.RDMA_CM_EVENT_CONNECT_REQUEST == eventType)
        {
            final DisniConnection connection = new DisniConnection(id);
            connectionById.put(id, connection);
            handler.onCmEvent(CmEvent.CONNECT_REQUEST, connection, detail);
            return;
        }
        final DisniConnection connection = connectionById.get(id);
        if (null == connection || null == eventType)
        {
            return;
        }
        switch (eventType)
        {
            case RDMA_CM_EVENT_ADDR_RESOLVED ->
            {
                try
                {
                    id.resolveRoute(resolveTimeoutMs);
                }
                catch (final IOException ex)
                {
                    handler.onCmEvent(CmEvent.FAILED, connection, "resolving the route failed: " + ex.getMessage());
                }
            }
            case RDMA_CM_EVENT_ROUTE_RESOLVED -> handler.onCmEvent(CmEvent.ROUTE_RESOLVED, connection, detail);
            case RDMA_CM_EVENT_ESTABLISHED -> handler.onCmEvent(CmEvent.ESTABLISHED, connection, detail);
            case RDMA_CM_EVENT_DISCONNECTED -> handler.onCmEvent(CmEvent.DISCONNECTED, connection, detail);
            case RDMA_CM_EVENT_ADDR_ERROR, RDMA_CM_EVENT_ROUTE_ERROR, RDMA_CM_EVENT_CONNECT_ERROR,
                RDMA_CM_EVENT_UNREACHABLE, RDMA_CM_EVENT_REJECTED, RDMA_CM_EVENT_DEVICE_REMOVAL ->
                handler.onCmEvent(CmEvent.FAILED, connection, detail);
            default ->
            {
                // CONNECT_RESPONSE (not used with a queue pair), TIMEWAIT_EXIT, ADDR_CHANGE, multicast: nothing to do.
            }
        }
    }

    @Override
    public Memory register(final ByteBuffer buffer, final int access) throws IOException
    {
        if (null == pd)
        {
            throw new IOException("no RDMA device is open yet: memory is registered after the first connection");
        }
        int flags = 0;
        if ((access & ACCESS_LOCAL_WRITE) != 0)
        {
            flags |= IbvMr.IBV_ACCESS_LOCAL_WRITE;
        }
        if ((access & ACCESS_REMOTE_WRITE) != 0)
        {
            flags |= IbvMr.IBV_ACCESS_REMOTE_WRITE;
        }
        if ((access & ACCESS_REMOTE_READ) != 0)
        {
            flags |= IbvMr.IBV_ACCESS_REMOTE_READ;
        }
        final IbvMr mr = pd.regMr(buffer, flags).execute().free().getMr();
        return new Memory()
        {
            @Override
            public long address()
            {
                return mr.getAddr();
            }

            @Override
            public int length()
            {
                return mr.getLength();
            }

            @Override
            public int lkey()
            {
                return mr.getLkey();
            }

            @Override
            public int rkey()
            {
                return mr.getRkey();
            }

            @Override
            public void deregister() throws IOException
            {
                mr.deregMr().execute().free();
            }
        };
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final DisniConnection connection : connectionById.values().toArray(new DisniConnection[0]))
        {
            connection.close();
        }
        try
        {
            if (null != pd)
            {
                pd.deallocPd();
            }
        }
        catch (final Exception ex)
        {
            LOG.warn("deallocating the protection domain failed", ex);
        }
        try
        {
            channel.destroyEventChannel();
        }
        catch (final IOException ex)
        {
            LOG.warn("destroying the rdma event channel failed", ex);
        }
    }

    private IbvPd protectionDomain(final IbvContext verbs) throws IOException
    {
        if (null == pd)
        {
            context = verbs;
            pd = verbs.allocPd();
        }
        else if (verbs.getCmd_fd() != context.getCmd_fd())
        {
            throw new IOException("connections resolve to two RDMA devices; all addresses of one process must be " +
                "on one device");
        }
        return pd;
    }

    private static CompletionStatus status(final int status)
    {
        return CompletionStatus.of(status);
    }

    /** A connection-manager id with its queue pair and prepared verb calls. */
    private final class DisniConnection implements Connection
    {
        private final RdmaCmId id;
        private final IbvWC[] completions = new IbvWC[POLL_BATCH];
        private IbvCompChannel compChannel;
        private IbvCQ cq;
        private SVCPostSend writeCall;
        private SVCPostSend sendCall;
        private IbvQP queuePair;
        private SVCPollCq pollCall;
        private boolean closed;

        DisniConnection(final RdmaCmId id)
        {
            this.id = id;
            for (int i = 0; i < completions.length; i++)
            {
                completions[i] = new IbvWC();
            }
        }

        @Override
        public void createQueuePair(
            final int sendQueueDepth,
            final int receiveQueueDepth,
            final int completionQueueDepth,
            final int maxInlineBytes) throws IOException
        {
            final IbvContext verbs = id.getVerbs();
            final IbvPd domain = protectionDomain(verbs);
            compChannel = verbs.createCompChannel();
            cq = verbs.createCQ(compChannel, completionQueueDepth, 0);
            final IbvQPInitAttr attr = new IbvQPInitAttr();
            attr.cap().setMax_send_wr(sendQueueDepth);
            attr.cap().setMax_recv_wr(receiveQueueDepth);
            attr.cap().setMax_send_sge(1);
            attr.cap().setMax_recv_sge(1);
            attr.cap().setMax_inline_data(maxInlineBytes);
            attr.setQp_type(IbvQP.IBV_QPT_RC);
            attr.setSend_cq(cq);
            attr.setRecv_cq(cq);
            attr.setSq_sig_all((byte)0);
            final IbvQP qp = id.createQP(domain, attr);
            writeCall = qp.postSend(singleWorkRequest(IbvSendWR.IBV_WR_RDMA_WRITE), null);
            sendCall = qp.postSend(singleWorkRequest(IbvSendWR.IBV_WR_SEND), null);
            queuePair = qp;
            pollCall = cq.poll(completions, completions.length);
        }

        private LinkedList<IbvSendWR> singleWorkRequest(final int opcode)
        {
            final IbvSendWR wr = new IbvSendWR();
            final LinkedList<IbvSge> sges = new LinkedList<>();
            sges.add(new IbvSge());
            wr.setSg_list(sges);
            wr.setNum_sge(1);
            wr.setOpcode(opcode);
            final LinkedList<IbvSendWR> list = new LinkedList<>();
            list.add(wr);
            return list;
        }

        @Override
        public void connect() throws IOException
        {
            id.connect(connParam());
        }

        @Override
        public void accept() throws IOException
        {
            id.accept(connParam());
        }

        /**
         * The connection parameters DiSNI 2.1 passes on: its native {@code connect} takes only the
         * retry counts and private data, its {@code accept} only the retry counts; initiator depth,
         * responder resources and flow control are not passed, so rdma_cm's defaults apply. They
         * bound RDMA READs and atomics in flight, which this fabric never issues (WRITE and SEND
         * only), so nothing here depends on them; they are not set, rather than set to no effect.
         */
        private RdmaConnParam connParam() throws IOException
        {
            final RdmaConnParam param = new RdmaConnParam();
            param.setRetry_count(RETRY_COUNT);
            param.setRnr_retry_count(RNR_RETRY_COUNT);
            return param;
        }

        @Override
        public void postWrite(
            final long workRequestId,
            final long localAddress,
            final int length,
            final int lkey,
            final long remoteAddress,
            final int rkey,
            final boolean signalled,
            final boolean inline) throws IOException
        {
            final SVCPostSend.SendWRMod wr = writeCall.getWrMod(0);
            wr.setWr_id(workRequestId);
            wr.setSend_flags((signalled ? IbvSendWR.IBV_SEND_SIGNALED : 0) | (inline ? IbvSendWR.IBV_SEND_INLINE : 0));
            final SVCPostSend.SgeMod sge = wr.getSgeMod(0);
            sge.setAddr(localAddress);
            sge.setLength(length);
            sge.setLkey(lkey);
            wr.getRdmaMod().setRemote_addr(remoteAddress);
            wr.getRdmaMod().setRkey(rkey);
            writeCall.execute();
        }

        @Override
        public void postSend(final long workRequestId, final long localAddress, final int length, final int lkey)
            throws IOException
        {
            final SVCPostSend.SendWRMod wr = sendCall.getWrMod(0);
            wr.setWr_id(workRequestId);
            wr.setSend_flags(IbvSendWR.IBV_SEND_SIGNALED);
            final SVCPostSend.SgeMod sge = wr.getSgeMod(0);
            sge.setAddr(localAddress);
            sge.setLength(length);
            sge.setLkey(lkey);
            sendCall.execute();
        }

        @Override
        public void postReceive(final long workRequestId, final long localAddress, final int length, final int lkey)
            throws IOException
        {
            // Receives are rare (one handshake per connection): DiSNI's receive call cannot be
            // modified in place, so each is built and released.
            final IbvSge sge = new IbvSge();
            sge.setAddr(localAddress);
            sge.setLength(length);
            sge.setLkey(lkey);
            final LinkedList<IbvSge> sges = new LinkedList<>();
            sges.add(sge);
            final IbvRecvWR receive = new IbvRecvWR();
            receive.setWr_id(workRequestId);
            receive.setSg_list(sges);
            receive.setNum_sge(1);
            final LinkedList<IbvRecvWR> receives = new LinkedList<>();
            receives.add(receive);
            queuePair.postRecv(receives, null).execute().free();
        }

        @Override
        public int pollCompletions(final CompletionHandler handler, final int limit) throws IOException
        {
            if (null == pollCall)
            {
                return 0;
            }
            final int polled = pollCall.execute().getPolls();
            for (int i = 0; i < polled; i++)
            {
                final IbvWC wc = completions[i];
                handler.onCompletion(wc.getWr_id(), status(wc.getStatus()), wc.getStatus(),
                    0 == wc.getStatus() ? 0 : wc.getVendor_err(), wc.getByte_len());
            }
            return polled;
        }

        @Override
        public void disconnect()
        {
            try
            {
                id.disconnect();
            }
            catch (final IOException ex)
            {
                LOG.debug("rdma disconnect failed (already disconnected?): {}", ex.toString());
            }
        }

        @Override
        public void close()
        {
            if (closed)
            {
                return;
            }
            closed = true;
            connectionById.remove(id);
            try
            {
                for (final SVCPostSend call : new SVCPostSend[]{writeCall, sendCall})
                {
                    if (null != call)
                    {
                        call.free();
                    }
                }
                if (null != pollCall)
                {
                    pollCall.free();
                }
                if (null != id.getQp())
                {
                    id.destroyQP();
                }
                if (null != cq)
                {
                    cq.destroyCQ();
                }
                if (null != compChannel)
                {
                    compChannel.destroyCompChannel();
                }
                id.destroyId();
            }
            catch (final IOException ex)
            {
                LOG.warn("releasing an rdma connection failed", ex);
            }
        }
    }
}
