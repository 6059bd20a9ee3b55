package io.ramcast.bench.workload;

import io.ramcast.txn.Destinations;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.Transaction;

import java.util.SplittableRandom;

/**
 * One worker's SmallBank operations: a type from the standard mix, customers from the hotspot
 * distribution and the fixed amounts of {@link SmallBankWorkload}. Deterministic in its seed. Not
 * thread-safe.
 */
final class SmallBankGenerator implements OperationGenerator
{
    /** Draws of a second customer before falling back to the next id (a hot set of one, all draws hot). */
    private static final int DISTINCT_DRAWS = 64;
    /**
     * Placements remembered, slot {@code id mod size}: placing a customer tries about two salts per
     * partition (several microseconds with 64 partitions), and the hot customers always hit.
     */
    private static final int PLACEMENT_CACHE_SIZE = 4096;

    private final Partitioner partitioner;
    private final long records;
    private final long hotCustomers;
    private final double hotspotFraction;
    private final SplittableRandom random;
    private final SmallBankCustomer[] placements = new SmallBankCustomer[PLACEMENT_CACHE_SIZE];

    /**
     * @param partitioner     the cluster's partitioner.
     * @param records         customers, at least 2.
     * @param hotCustomers    hot customers in [0, records]; 0 or records draws uniformly.
     * @param hotspotFraction share of draws that go to the hot customers, in [0, 1].
     * @param seed            the seed.
     */
    SmallBankGenerator(
        final Partitioner partitioner, final long records, final long hotCustomers, final double hotspotFraction,
        final long seed)
    {
        this.partitioner = partitioner;
        this.records = records;
        this.hotCustomers = hotCustomers;
        this.hotspotFraction = hotspotFraction;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public PlannedOperation next()
    {
        final SmallBankTransactionType type = SmallBankTransactionType.ofMixPercentile(random.nextInt(100));
        final long customerId = nextCustomer();
        final SmallBankCustomer customer = placed(customerId);
        final SmallBankCall call = switch (type)
        {
            case AMALGAMATE -> SmallBankCall.amalgamate(customer, otherThan(customerId));
            case BALANCE -> SmallBankCall.balance(customer);
            case DEPOSIT_CHECKING -> SmallBankCall.depositChecking(customer, SmallBankWorkload.DEPOSIT_CHECKING_CENTS);
            case SEND_PAYMENT -> SmallBankCall.sendPayment(customer, otherThan(customerId), SmallBankWorkload.SEND_PAYMENT_CENTS);
            case TRANSACT_SAVINGS -> SmallBankCall.transactSavings(customer, SmallBankWorkload.TRANSACT_SAVINGS_CENTS);
            case WRITE_CHECK -> SmallBankCall.writeCheck(customer, SmallBankWorkload.WRITE_CHECK_CENTS);
        };
        final Transaction transaction = call.transaction();
        return new PlannedOperation(type.label(), transaction, Destinations.of(transaction, partitioner).length);
    }

    /** @return a customer id: hot with probability hotspotFraction when there is a hot set. */
    long nextCustomer()
    {
        if (hotCustomers == 0 || hotCustomers >= records)
        {
            return random.nextLong(records);
        }
        return random.nextDouble() < hotspotFraction ? random.nextLong(hotCustomers) : random.nextLong(hotCustomers, records);
    }

    private SmallBankCustomer otherThan(final long customerId)
    {
        for (int draw = 0; draw < DISTINCT_DRAWS; draw++)
        {
            final long other = nextCustomer();
            if (other != customerId)
            {
                return placed(other);
            }
        }
        return placed((customerId + 1) % records);
    }

    private SmallBankCustomer placed(final long customerId)
    {
        final int slot = (int)(customerId % PLACEMENT_CACHE_SIZE);
        SmallBankCustomer customer = placements[slot];
        if (customer == null || customer.id() != customerId)
        {
            customer = SmallBankCustomer.placed(customerId, partitioner);
            placements[slot] = customer;
        }
        return customer;
    }
}
