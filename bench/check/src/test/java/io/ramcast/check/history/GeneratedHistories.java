package io.ramcast.check.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Random valid histories: concurrent clients whose operations take effect one at a time, in a
 * random serial order, each at an instant between its invocation and its completion, against a
 * simple in-memory model. Some operations fail (no effect) and some end indeterminate (effect or
 * not, at random; some never complete, after which the client continues under a fresh process id,
 * as a crashed client would be replaced).
 */
final class GeneratedHistories
{
    private static final int IDLE = 0;
    private static final int INVOKED = 1;
    private static final int DECIDED = 2;

    private GeneratedHistories()
    {
    }

    /** A bank history, the accounts, their initial total and the final balances of the model. */
    record Bank(List<HistoryEvent> events, List<Integer> accounts, long initialTotal, Map<Integer, Long> finalBalances)
    {
        History history()
        {
            return History.of(events);
        }
    }

    /** Shape of a generated list-append history. */
    record TxnWorkload(
        int txnCount, int processCount, int activeKeys, int txnsPerKeyRotation, int maxOpsPerTxn,
        double failRate, double infoRate)
    {
        static TxnWorkload small(final int txnCount)
        {
            return new TxnWorkload(txnCount, 5, 4, 20, 4, 0.05, 0.05);
        }
    }

    /**
     * @param seed     the random seed.
     * @param workload the shape.
     * @return the events of a valid (strict serializable) list-append history, in time order.
     */
    static List<HistoryEvent> listAppend(final long seed, final TxnWorkload workload)
    {
        final Random random = new Random(seed);
        final Map<String, List<Long>> model = new HashMap<>();
        final List<HistoryEvent> events = new ArrayList<>();
        final Client[] clients = newClients(workload.processCount());
        long nextValue = 1;
        long time = 0;
        int started = 0;
        int keyBase = 0;
        int nextProcess = workload.processCount();
        while (started < workload.txnCount() || anyBusy(clients))
        {
            time += 1 + random.nextInt(5);
            final Client c = clients[random.nextInt(clients.length)];
            if (c.state == IDLE)
            {
                if (started == workload.txnCount())
                {
                    continue;
                }
                final int opCount = 1 + random.nextInt(workload.maxOpsPerTxn());
                final List<MicroOp> ops = new ArrayList<>(opCount);
                for (int i = 0; i < opCount; i++)
                {
                    final String key = "k" + (keyBase + random.nextInt(workload.activeKeys()));
                    ops.add(random.nextBoolean() ? MicroOp.append(key, nextValue++) : MicroOp.pendingRead(key));
                }
                started++;
                if (started % workload.txnsPerKeyRotation() == 0)
                {
                    keyBase++;
                }
                c.invoked = new OpValue.Txn(ops);
                c.state = INVOKED;
                events.add(HistoryEvent.invoke(c.process, OpFunction.TXN, c.invoked, time));
            }
            else if (c.state == INVOKED)
            {
                final double roll = random.nextDouble();
                if (roll < workload.failRate())
                {
                    c.outcome = EventType.FAIL;
                    c.result = c.invoked;
                }
                else if (roll < workload.failRate() + workload.infoRate())
                {
                    c.outcome = EventType.INFO;
                    c.result = c.invoked;
                    if (random.nextBoolean())
                    {
                        apply(model, (OpValue.Txn)c.invoked);
                    }
                }
                else
                {
                    c.outcome = EventType.OK;
                    c.result = apply(model, (OpValue.Txn)c.invoked);
                }
                c.state = DECIDED;
            }
            else
            {
                if (c.outcome == EventType.INFO && random.nextInt(4) == 0)
                {
                    c.process = nextProcess++;
                }
                else
                {
                    events.add(HistoryEvent.complete(c.process, c.outcome, OpFunction.TXN, c.result, time));
                }
                c.state = IDLE;
            }
        }
        return events;
    }

    /**
     * @param seed          the random seed.
     * @param opCount       transfers and reads to issue.
     * @param processCount  concurrent clients.
     * @param accountCount  accounts, each starting with 100.
     * @return a valid bank history with its setup and final state.
     */
    static Bank bank(final long seed, final int opCount, final int processCount, final int accountCount)
    {
        final Random random = new Random(seed);
        final TreeMap<Integer, Long> balances = new TreeMap<>();
        final List<Integer> accounts = new ArrayList<>();
        for (int a = 0; a < accountCount; a++)
        {
            balances.put(a, 100L);
            accounts.add(a);
        }
        final List<HistoryEvent> events = new ArrayList<>();
        final Client[] clients = newClients(processCount);
        long time = 0;
        int started = 0;
        int nextProcess = processCount;
        while (started < opCount || anyBusy(clients))
        {
            time += 1 + random.nextInt(5);
            final Client c = clients[random.nextInt(clients.length)];
            if (c.state == IDLE)
            {
                if (started == opCount)
                {
                    continue;
                }
                started++;
                if (random.nextInt(3) == 0)
                {
                    c.f = OpFunction.READ;
                    c.invoked = null;
                }
                else
                {
                    final int from = random.nextInt(accountCount);
                    final int to = (from + 1 + random.nextInt(accountCount - 1)) % accountCount;
                    c.f = OpFunction.TRANSFER;
                    c.invoked = new OpValue.Transfer(from, to, 1 + random.nextInt(60));
                }
                c.state = INVOKED;
                events.add(HistoryEvent.invoke(c.process, c.f, c.invoked, time));
            }
            else if (c.state == INVOKED)
            {
                final boolean indeterminate = random.nextInt(20) == 0;
                final boolean takesEffect = !indeterminate || random.nextBoolean();
                if (c.f == OpFunction.READ)
                {
                    c.outcome = indeterminate ? EventType.INFO : EventType.OK;
                    c.result = indeterminate ? null : OpValue.Balances.of(balances);
                }
                else
                {
                    final OpValue.Transfer t = (OpValue.Transfer)c.invoked;
                    final boolean funded = balances.get(t.from()) >= t.amount();
                    if (funded && takesEffect)
                    {
                        balances.merge(t.from(), -t.amount(), Long::sum);
                        balances.merge(t.to(), t.amount(), Long::sum);
                    }
                    c.outcome = indeterminate ? EventType.INFO : funded ? EventType.OK : EventType.FAIL;
                    c.result = t;
                }
                c.state = DECIDED;
            }
            else
            {
                if (c.outcome == EventType.INFO && random.nextInt(4) == 0)
                {
                    c.process = nextProcess++;
                }
                else
                {
                    events.add(HistoryEvent.complete(c.process, c.outcome, c.f, c.result, time));
                }
                c.state = IDLE;
            }
        }
        return new Bank(events, accounts, 100L * accountCount, balances);
    }

    private static List<MicroOp> applyOps(final Map<String, List<Long>> model, final OpValue.Txn txn)
    {
        final List<MicroOp> done = new ArrayList<>(txn.ops().size());
        for (final MicroOp op : txn.ops())
        {
            final List<Long> list = model.computeIfAbsent(op.key(), (k) -> new ArrayList<>());
            if (op instanceof MicroOp.Append append)
            {
                list.add(append.value());
                done.add(op);
            }
            else
            {
                done.add(new MicroOp.Read(op.key(), list));
            }
        }
        return done;
    }

    private static OpValue.Txn apply(final Map<String, List<Long>> model, final OpValue.Txn txn)
    {
        return new OpValue.Txn(applyOps(model, txn));
    }

    private static Client[] newClients(final int processCount)
    {
        final Client[] clients = new Client[processCount];
        for (int p = 0; p < processCount; p++)
        {
            clients[p] = new Client(p);
        }
        return clients;
    }

    private static boolean anyBusy(final Client[] clients)
    {
        for (final Client c : clients)
        {
            if (c.state != IDLE)
            {
                return true;
            }
        }
        return false;
    }

    private static final class Client
    {
        int process;
        int state = IDLE;
        OpFunction f = OpFunction.TXN;
        OpValue invoked;
        OpValue result;
        EventType outcome;

        Client(final int process)
        {
            this.process = process;
        }
    }
}
