package io.ramcast.check.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Formats and parses one history line (see {@link HistoryReader} for the format). Stateless;
 * thread-safe.
 */
final class HistoryEventCodec
{
    private static final Set<String> EVENT_FIELDS = Set.of("process", "type", "f", "value", "time");
    private static final Set<String> TRANSFER_FIELDS = Set.of("from", "to", "amount");
    private static final Pattern ACCOUNT_ID = Pattern.compile("0|[1-9][0-9]{0,9}");
    private static final String APPEND = "append";
    private static final String READ = "r";

    private HistoryEventCodec()
    {
    }

    /**
     * Appends one line for {@code event}, without the newline.
     *
     * @param event the event.
     * @param sb    the destination.
     */
    static void format(final HistoryEvent event, final StringBuilder sb)
    {
        sb.append("{\"process\": ").append(event.process())
            .append(", \"type\": \"").append(event.type().jsonName())
            .append("\", \"f\": \"").append(event.f().jsonName())
            .append("\", \"value\": ");
        formatValue(event.value(), sb);
        sb.append(", \"time\": ").append(event.timeNs()).append('}');
    }

    /**
     * @param line one line, without the newline.
     * @return the event it records.
     * @throws IllegalArgumentException if the line breaks the format; the message says how.
     */
    static HistoryEvent parse(final String line)
    {
        final Object root = Json.parse(line);
        if (!(root instanceof Map<?, ?> fields))
        {
            throw new IllegalArgumentException("a line must be a JSON object, got " + describe(root));
        }
        checkFields(fields, EVENT_FIELDS, "a line");
        final int process = toInt(fields.get("process"), "\"process\"");
        final EventType type = EventType.fromJsonName(toText(fields.get("type"), "\"type\""));
        final OpFunction f = OpFunction.fromJsonName(toText(fields.get("f"), "\"f\""));
        final long timeNs = toLong(fields.get("time"), "\"time\"");
        final OpValue value = parseValue(f, fields.get("value"));
        return new HistoryEvent(process, type, f, value, timeNs);
    }

    private static void formatValue(final OpValue value, final StringBuilder sb)
    {
        if (value == null)
        {
            sb.append("null");
        }
        else if (value instanceof OpValue.Transfer t)
        {
            sb.append("{\"from\": ").append(t.from())
                .append(", \"to\": ").append(t.to())
                .append(", \"amount\": ").append(t.amount()).append('}');
        }
        else if (value instanceof OpValue.Balances b)
        {
            sb.append('{');
            boolean first = true;
            for (final Map.Entry<Integer, Long> e : b.balances().entrySet())
            {
                if (!first)
                {
                    sb.append(", ");
                }
                first = false;
                sb.append('"').append(e.getKey().intValue()).append("\": ").append(e.getValue().longValue());
            }
            sb.append('}');
        }
        else if (value instanceof OpValue.Txn txn)
        {
            sb.append('[');
            boolean first = true;
            for (final MicroOp op : txn.ops())
            {
                if (!first)
                {
                    sb.append(", ");
                }
                first = false;
                formatMicroOp(op, sb);
            }
            sb.append(']');
        }
        else
        {
            throw new IllegalStateException("unknown value " + value);
        }
    }

    private static void formatMicroOp(final MicroOp op, final StringBuilder sb)
    {
        if (op instanceof MicroOp.Append append)
        {
            sb.append("[\"").append(APPEND).append("\", ");
            Json.appendString(sb, append.key());
            sb.append(", ").append(append.value()).append(']');
        }
        else if (op instanceof MicroOp.Read read)
        {
            sb.append("[\"").append(READ).append("\", ");
            Json.appendString(sb, read.key());
            sb.append(", ");
            if (read.values() == null)
            {
                sb.append("null");
            }
            else
            {
                sb.append('[');
                final List<Long> values = read.values();
                for (int i = 0; i < values.size(); i++)
                {
                    if (i > 0)
                    {
                        sb.append(',');
                    }
                    sb.append(values.get(i).longValue());
                }
                sb.append(']');
            }
            sb.append(']');
        }
        else
        {
            throw new IllegalStateException("unknown micro-op " + op);
        }
    }

    private static OpValue parseValue(final OpFunction f, final Object value)
    {
        if (value == null)
        {
            return null;
        }
        return switch (f)
        {
            case TRANSFER -> parseTransfer(value);
            case READ -> parseBalances(value);
            case TXN -> parseTxn(value);
        };
    }

    private static OpValue.Transfer parseTransfer(final Object value)
    {
        if (!(value instanceof Map<?, ?> fields))
        {
            throw new IllegalArgumentException("a transfer value must be an object {from, to, amount}, got " +
                describe(value));
        }
        checkFields(fields, TRANSFER_FIELDS, "a transfer value");
        return new OpValue.Transfer(
            toInt(fields.get("from"), "\"from\""),
            toInt(fields.get("to"), "\"to\""),
            toLong(fields.get("amount"), "\"amount\""));
    }

    private static OpValue.Balances parseBalances(final Object value)
    {
        if (!(value instanceof Map<?, ?> fields))
        {
            throw new IllegalArgumentException("a read value must be an object of balances by account or null, got " +
                describe(value));
        }
        final TreeMap<Integer, Long> balances = new TreeMap<>();
        for (final Map.Entry<?, ?> e : fields.entrySet())
        {
            final String account = (String)e.getKey();
            if (!ACCOUNT_ID.matcher(account).matches())
            {
                throw new IllegalArgumentException("account id \"" + account +
                    "\" is not a non-negative decimal integer without leading zeros");
            }
            final long id = Long.parseLong(account);
            if (id > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException("account id " + account + " does not fit in an int");
            }
            balances.put((int)id, toLong(e.getValue(), "the balance of account " + account));
        }
        return new OpValue.Balances(balances);
    }

    private static OpValue.Txn parseTxn(final Object value)
    {
        if (!(value instanceof List<?> items))
        {
            throw new IllegalArgumentException("a txn value must be a list of micro-ops, got " + describe(value));
        }
        final List<MicroOp> ops = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++)
        {
            ops.add(parseMicroOp(items.get(i), i));
        }
        return new OpValue.Txn(ops);
    }

    private static MicroOp parseMicroOp(final Object item, final int index)
    {
        final String where = "micro-op " + index;
        if (!(item instanceof List<?> parts) || parts.size() != 3)
        {
            throw new IllegalArgumentException(where + " must be a list [f, key, value], got " + describe(item));
        }
        final String f = toText(parts.get(0), where + " function");
        final String key = toText(parts.get(1), where + " key");
        if (key.isEmpty())
        {
            throw new IllegalArgumentException(where + " has an empty key");
        }
        final Object arg = parts.get(2);
        if (APPEND.equals(f))
        {
            return new MicroOp.Append(key, toLong(arg, where + " appended value"));
        }
        if (READ.equals(f))
        {
            if (arg == null)
            {
                return new MicroOp.Read(key, null);
            }
            if (!(arg instanceof List<?> values))
            {
                throw new IllegalArgumentException(where + " read result must be a list of integers or null, got " +
                    describe(arg));
            }
            final List<Long> read = new ArrayList<>(values.size());
            for (int i = 0; i < values.size(); i++)
            {
                read.add(toLong(values.get(i), where + " read element " + i));
            }
            return new MicroOp.Read(key, read);
        }
        throw new IllegalArgumentException(where + " function must be \"append\" or \"r\", got \"" + f + "\"");
    }

    private static void checkFields(final Map<?, ?> fields, final Set<String> expected, final String what)
    {
        for (final String name : expected)
        {
            if (!fields.containsKey(name))
            {
                throw new IllegalArgumentException(what + " lacks the field \"" + name + "\"");
            }
        }
        for (final Object name : fields.keySet())
        {
            if (!expected.contains(name))
            {
                throw new IllegalArgumentException(what + " has an unknown field \"" + name + "\"");
            }
        }
    }

    private static long toLong(final Object value, final String what)
    {
        if (!(value instanceof Long number))
        {
            throw new IllegalArgumentException(what + " must be an integer, got " + describe(value));
        }
        return number.longValue();
    }

    private static int toInt(final Object value, final String what)
    {
        final long number = toLong(value, what);
        if (number < Integer.MIN_VALUE || number > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(what + " must fit in an int, got " + number);
        }
        return (int)number;
    }

    private static String toText(final Object value, final String what)
    {
        if (!(value instanceof String text))
        {
            throw new IllegalArgumentException(what + " must be a string, got " + describe(value));
        }
        return text;
    }

    private static String describe(final Object value)
    {
        if (value == null)
        {
            return "null";
        }
        if (value instanceof String s)
        {
            return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        if (value instanceof Long)
        {
            return "the integer " + value;
        }
        if (value instanceof Boolean)
        {
            return value.toString();
        }
        return value instanceof List<?> ? "a list" : "an object";
    }
}
