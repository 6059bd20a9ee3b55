package io.ramcast.bench.workload;

import io.ramcast.txn.Destinations;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.config.HashPartitioner;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The generator: the standard mix, the hotspot, distinct customers, fixed amounts, partition
 * counts and determinism. Fixed seeds, so the statistical bounds either hold or fail every run.
 */
class SmallBankGeneratorTest
{
    private static final int OPERATIONS = 20_000;
    private static final Partitioner PARTITIONER = new HashPartitioner(3);

    private static OperationGenerator generator(final long records, final Map<String, String> extra, final long seed)
    {
        final WorkloadSettings settings = new WorkloadSettings(PARTITIONER, records, 100, "zipfian", 0.5, 4, 10, extra);
        return new SmallBankWorkload().newGenerator(settings, 0, seed);
    }

    @Test
    void shouldFollowTheStandardMixWithinTwoPercentagePoints()
    {
        final OperationGenerator generator = generator(1_000, Map.of(), 17);
        final Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < OPERATIONS; i++)
        {
            counts.merge(generator.next().type(), 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys("amalgamate", "balance", "deposit-checking", "send-payment",
            "transact-savings", "write-check");
        for (final SmallBankTransactionType type : SmallBankTransactionType.values())
        {
            assertThat(100.0 * counts.get(type.label()) / OPERATIONS).as("share of %s in percent", type.label())
                .isCloseTo(type.mixPercent(), within(2.0));
        }
    }

    @Test
    void shouldCallTheProcedureOfItsLabelWithTheFixedAmount()
    {
        final OperationGenerator generator = generator(1_000, Map.of(), 3);
        final Map<SmallBankTransactionType, Long> amounts = Map.of(
            SmallBankTransactionType.AMALGAMATE, 0L,
            SmallBankTransactionType.BALANCE, 0L,
            SmallBankTransactionType.DEPOSIT_CHECKING, SmallBankWorkload.DEPOSIT_CHECKING_CENTS,
            SmallBankTransactionType.SEND_PAYMENT, SmallBankWorkload.SEND_PAYMENT_CENTS,
            SmallBankTransactionType.TRANSACT_SAVINGS, SmallBankWorkload.TRANSACT_SAVINGS_CENTS,
            SmallBankTransactionType.WRITE_CHECK, SmallBankWorkload.WRITE_CHECK_CENTS);
        for (int i = 0; i < 2_000; i++)
        {
            final OperationGenerator.PlannedOperation op = generator.next();
            final SmallBankCall call = SmallBankCall.of(op.transaction());
            assertThat(call.type().label()).isEqualTo(op.type());
            assertThat(call.amount()).as("amount of %s", op.type()).isEqualTo(amounts.get(call.type()));
            assertThat(call.customer()).isEqualTo(SmallBankCustomer.placed(call.customer().id(), PARTITIONER));
        }
    }

    @Test
    void shouldNameTwoDistinctCustomersInAmalgamateAndSendPaymentEvenInATinyHotspot()
    {
        final OperationGenerator generator = generator(50, Map.of("hotspot", "1", "hotspotFraction", "1"), 5);
        int twoCustomerOps = 0;
        for (int i = 0; i < 2_000; i++)
        {
            final SmallBankCall call = SmallBankCall.of(generator.next().transaction());
            if (call.other() != null)
            {
                twoCustomerOps++;
                assertThat(call.other().id()).as("other customer of %s", call).isNotEqualTo(call.customer().id());
            }
        }
        assertThat(twoCustomerOps).isGreaterThan(600);
    }

    @Test
    void shouldSendTheHotspotFractionOfDrawsToTheHotCustomers()
    {
        assertThat(hotShare(10_000, Map.of())).as("default: 90 %% to the 100 hot customers").isCloseTo(0.9, within(0.02));
        assertThat(hotShare(10_000, Map.of("hotspot", "100", "hotspotFraction", "0.5"))).isCloseTo(0.5, within(0.02));
        assertThat(hotShare(10_000, Map.of("hotspot", "0"))).as("uniform").isCloseTo(0.01, within(0.005));
    }

    @Test
    void shouldSpreadTheHotAndTheColdDrawsOverTheirWholeRanges()
    {
        final OperationGenerator generator = generator(1_000, Map.of("hotspot", "10"), 23);
        final long[] draws = new long[1_000];
        for (int i = 0; i < OPERATIONS; i++)
        {
            final SmallBankCall call = SmallBankCall.of(generator.next().transaction());
            draws[(int)call.customer().id()]++;
            if (call.other() != null)
            {
                draws[(int)call.other().id()]++;
            }
        }
        // 1.4 customers per operation: about 2,520 draws per hot customer and 2.8 per cold one
        for (int hot = 0; hot < 10; hot++)
        {
            assertThat(draws[hot]).as("draws of hot customer %d", hot).isBetween(2_200L, 2_850L);
        }
        assertThat(Arrays.stream(draws, 10, 1_000).filter(d -> d > 0).count()).as("cold customers drawn")
            .isGreaterThan(880);
        assertThat(Arrays.stream(draws, 10, 1_000).max().orElseThrow()).as("draws of the busiest cold customer")
            .isLessThan(15);
    }

    /** Share of customer references (both customers of two-customer operations) to ids 0..99. */
    private static double hotShare(final long records, final Map<String, String> extra)
    {
        final OperationGenerator generator = generator(records, extra, 11);
        long hot = 0;
        long total = 0;
        for (int i = 0; i < OPERATIONS; i++)
        {
            final SmallBankCall call = SmallBankCall.of(generator.next().transaction());
            for (final SmallBankCustomer c : call.other() == null ?
                new SmallBankCustomer[] {call.customer()} : new SmallBankCustomer[] {call.customer(), call.other()})
            {
                total++;
                hot += c.id() < 100 ? 1 : 0;
            }
        }
        return (double)hot / total;
    }

    @Test
    void shouldBeSinglePartitionForOneCustomerAndUsuallyMultiPartitionForTwo()
    {
        final OperationGenerator generator = generator(10_000, Map.of("hotspot", "0"), 29);
        int twoCustomerOps = 0;
        int multiPartition = 0;
        for (int i = 0; i < OPERATIONS; i++)
        {
            final OperationGenerator.PlannedOperation op = generator.next();
            assertThat(op.partitions()).isEqualTo(Destinations.of(op.transaction(), PARTITIONER).length);
            if (SmallBankCall.of(op.transaction()).other() == null)
            {
                assertThat(op.partitions()).as("partitions of %s", op.type()).isEqualTo(1);
            }
            else
            {
                twoCustomerOps++;
                multiPartition += op.partitions() > 1 ? 1 : 0;
            }
        }
        assertThat((double)multiPartition / twoCustomerOps).as("multi-partition share of two-customer operations")
            .isCloseTo(2.0 / 3, within(0.03));
    }

    @Test
    void shouldRepeatItsOperationsForTheSameSeed()
    {
        final OperationGenerator a = generator(1_000, Map.of(), 99);
        final OperationGenerator b = generator(1_000, Map.of(), 99);
        final OperationGenerator c = generator(1_000, Map.of(), 100);
        int differences = 0;
        for (int i = 0; i < 500; i++)
        {
            final OperationGenerator.PlannedOperation fromA = a.next();
            final OperationGenerator.PlannedOperation fromB = b.next();
            assertThat(fromB.type()).isEqualTo(fromA.type());
            assertThat(fromB.transaction().procedureArguments()).isEqualTo(fromA.transaction().procedureArguments());
            differences += Arrays.equals(c.next().transaction().procedureArguments(),
                fromA.transaction().procedureArguments()) ? 0 : 1;
        }
        assertThat(differences).as("operations that differ under another seed").isGreaterThan(400);
    }
}
