package io.ramcast.bench.workload;

import io.ramcast.txn.Transaction;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One call of a SmallBank procedure: what a client sends and what the procedure decodes.
 *
 * <pre>
 *  arguments, big-endian, by type ({@link SmallBankTransactionType#argumentBytes()} bytes)
 *  balance, deposit-checking, transact-savings, write-check:
 *  +---------------------+------------------------------------------------+
 *  | customer (12 bytes) | amount i64, cents (all but balance)            |
 *  +---------------------+------------------------------------------------+
 *  amalgamate, send-payment:
 *  +---------------------+------------------+-----------------------------+
 *  | customer (12 bytes) | other (12 bytes) | amount i64, cents (send-payment only)
 *  +---------------------+------------------+-----------------------------+
 *  customer: see {@link SmallBankCustomer}
 * </pre>
 *
 * <p>The transaction declares exactly the rows the procedure reads and writes (each once, also
 * when customer and other are the same):
 * <pre>
 *  type               reads                                      writes
 *  balance            acct, sav, chk                             -
 *  deposit-checking   acct, chk                                  chk
 *  transact-savings   acct, sav                                  sav
 *  write-check        acct, sav, chk                             chk
 *  amalgamate         acct, sav, chk, other acct, other chk      sav, chk, other chk
 *  send-payment       acct, chk, other acct, other chk           chk, other chk
 * </pre>
 *
 * @param type     the transaction type.
 * @param customer the (first) customer.
 * @param other    the second customer of amalgamate (receives) and send-payment (payee); null otherwise.
 * @param amount   the amount in cents, 0 for the types without one.
 */
public record SmallBankCall(SmallBankTransactionType type, SmallBankCustomer customer, SmallBankCustomer other, long amount)
{
    /**
     * @throws IllegalArgumentException if the other customer or the amount does not fit the type.
     */
    public SmallBankCall
    {
        if (type == null || customer == null)
        {
            throw new IllegalArgumentException("a SmallBank call needs a type and a customer");
        }
        if ((type.customers() == 2) != (other != null))
        {
            throw new IllegalArgumentException(type.label() + " takes " + type.customers() + " customer(s)");
        }
        if (!type.hasAmount() && amount != 0)
        {
            throw new IllegalArgumentException(type.label() + " takes no amount, got " + amount);
        }
    }

    /**
     * @param customer the customer.
     * @return a Balance call.
     */
    public static SmallBankCall balance(final SmallBankCustomer customer)
    {
        return new SmallBankCall(SmallBankTransactionType.BALANCE, customer, null, 0);
    }

    /**
     * @param customer    the customer.
     * @param amountCents the deposit; a negative one makes the procedure abort.
     * @return a DepositChecking call.
     */
    public static SmallBankCall depositChecking(final SmallBankCustomer customer, final long amountCents)
    {
        return new SmallBankCall(SmallBankTransactionType.DEPOSIT_CHECKING, customer, null, amountCents);
    }

    /**
     * @param customer    the customer.
     * @param amountCents added to savings; negative for a withdrawal.
     * @return a TransactSavings call.
     */
    public static SmallBankCall transactSavings(final SmallBankCustomer customer, final long amountCents)
    {
        return new SmallBankCall(SmallBankTransactionType.TRANSACT_SAVINGS, customer, null, amountCents);
    }

    /**
     * @param customer    the customer.
     * @param amountCents the check's amount; a negative one makes the procedure abort.
     * @return a WriteCheck call.
     */
    public static SmallBankCall writeCheck(final SmallBankCustomer customer, final long amountCents)
    {
        return new SmallBankCall(SmallBankTransactionType.WRITE_CHECK, customer, null, amountCents);
    }

    /**
     * @param from the customer whose savings and checking are emptied.
     * @param to   the customer whose checking receives them.
     * @return an Amalgamate call.
     */
    public static SmallBankCall amalgamate(final SmallBankCustomer from, final SmallBankCustomer to)
    {
        return new SmallBankCall(SmallBankTransactionType.AMALGAMATE, from, to, 0);
    }

    /**
     * @param from        the payer.
     * @param to          the payee.
     * @param amountCents the payment; a negative one makes the procedure abort.
     * @return a SendPayment call.
     */
    public static SmallBankCall sendPayment(final SmallBankCustomer from, final SmallBankCustomer to, final long amountCents)
    {
        return new SmallBankCall(SmallBankTransactionType.SEND_PAYMENT, from, to, amountCents);
    }

    /** @return the procedure arguments. */
    public byte[] encode()
    {
        final ByteBuffer buffer = ByteBuffer.allocate(type.argumentBytes());
        customer.encodeTo(buffer);
        if (other != null)
        {
            other.encodeTo(buffer);
        }
        if (type.hasAmount())
        {
            buffer.putLong(amount);
        }
        return buffer.array();
    }

    /**
     * @param type      the procedure's type.
     * @param arguments the procedure arguments.
     * @return the call they encode.
     * @throws IllegalArgumentException if the arguments have the wrong size or a customer reference is invalid.
     */
    public static SmallBankCall decode(final SmallBankTransactionType type, final byte[] arguments)
    {
        if (arguments.length != type.argumentBytes())
        {
            throw new IllegalArgumentException(type.procedureName() + " takes " + type.argumentBytes() +
                " bytes of arguments, got " + arguments.length);
        }
        final ByteBuffer buffer = ByteBuffer.wrap(arguments);
        final SmallBankCustomer customer = SmallBankCustomer.decodeFrom(buffer);
        final SmallBankCustomer other = type.customers() == 2 ? SmallBankCustomer.decodeFrom(buffer) : null;
        return new SmallBankCall(type, customer, other, type.hasAmount() ? buffer.getLong() : 0);
    }

    /**
     * @param transaction a transaction made by {@link #transaction()}.
     * @return the call it carries.
     * @throws IllegalArgumentException if it is not a SmallBank procedure call or its arguments are invalid.
     */
    public static SmallBankCall of(final Transaction transaction)
    {
        final String name = transaction.procedureName();
        for (final SmallBankTransactionType type : SmallBankTransactionType.values())
        {
            if (type.procedureName().equals(name))
            {
                return decode(type, transaction.procedureArguments());
            }
        }
        throw new IllegalArgumentException(transaction + " is not a SmallBank procedure call");
    }

    /** @return the procedure call, declaring the rows listed above. */
    public Transaction transaction()
    {
        final List<byte[]> reads = new ArrayList<>(5);
        final List<byte[]> writes = new ArrayList<>(3);
        switch (type)
        {
            case BALANCE -> add(reads, customer.accountKey(), customer.savingsKey(), customer.checkingKey());
            case DEPOSIT_CHECKING, WRITE_CHECK ->
            {
                add(reads, customer.accountKey(), customer.checkingKey());
                if (type == SmallBankTransactionType.WRITE_CHECK)
                {
                    add(reads, customer.savingsKey());
                }
                add(writes, customer.checkingKey());
            }
            case TRANSACT_SAVINGS ->
            {
                add(reads, customer.accountKey(), customer.savingsKey());
                add(writes, customer.savingsKey());
            }
            case AMALGAMATE ->
            {
                add(reads, customer.accountKey(), customer.savingsKey(), customer.checkingKey(), other.accountKey(),
                    other.checkingKey());
                add(writes, customer.savingsKey(), customer.checkingKey(), other.checkingKey());
            }
            case SEND_PAYMENT ->
            {
                add(reads, customer.accountKey(), customer.checkingKey(), other.accountKey(), other.checkingKey());
                add(writes, customer.checkingKey(), other.checkingKey());
            }
            default -> throw new IllegalStateException("unhandled SmallBank type " + type);
        }
        return Transaction.procedure(type.procedureName(), encode())
            .reads(reads.toArray(new byte[0][])).writes(writes.toArray(new byte[0][])).build();
    }

    private static void add(final List<byte[]> keys, final byte[]... more)
    {
        for (final byte[] key : more)
        {
            if (keys.stream().noneMatch(k -> Arrays.equals(k, key)))
            {
                keys.add(key);
            }
        }
    }
}
