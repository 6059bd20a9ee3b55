package io.ramcast.bench.workload;

import io.ramcast.txn.Partitioner;
import io.ramcast.txn.config.HashPartitioner;
import io.ramcast.txn.config.RangePartitioner;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The key layout: a customer's rows on one partition, customers spread over the partitions. */
class SmallBankCustomerTest
{
    @Test
    void shouldPutACustomersThreeRowsOnItsHomePartitionUnderHashPartitioning()
    {
        for (final int partitions : new int[] {1, 2, 3, 8, 64})
        {
            final Partitioner partitioner = new HashPartitioner(partitions);
            for (long id = 0; id < 1_000; id++)
            {
                final SmallBankCustomer c = SmallBankCustomer.placed(id, partitioner);
                final int home = partitioner.partitionOf(c.accountKey());
                assertThat(partitioner.partitionOf(c.savingsKey())).as("savings of %s, %d partitions", c, partitions)
                    .isEqualTo(home);
                assertThat(partitioner.partitionOf(c.checkingKey())).as("checking of %s, %d partitions", c, partitions)
                    .isEqualTo(home);
            }
        }
    }

    @Test
    void shouldSpreadCustomersEvenlyOverHashPartitions()
    {
        final Partitioner partitioner = new HashPartitioner(3);
        final int[] customers = new int[3];
        for (long id = 0; id < 3_000; id++)
        {
            customers[partitioner.partitionOf(SmallBankCustomer.placed(id, partitioner).accountKey())]++;
        }
        for (int p = 0; p < 3; p++)
        {
            assertThat(customers[p]).as("customers on partition %d", p).isBetween(900, 1_100);
        }
    }

    @Test
    void shouldUseTheDocumentedKeys()
    {
        final SmallBankCustomer c = new SmallBankCustomer(42, 3, 0);
        assertThat(new String(c.accountKey(), StandardCharsets.UTF_8)).isEqualTo("sb/42/acct");
        assertThat(new String(c.savingsKey(), StandardCharsets.UTF_8)).isEqualTo("sb/42/sav/3");
        assertThat(new String(c.checkingKey(), StandardCharsets.UTF_8)).isEqualTo("sb/42/chk/0");
        assertThat(new String(c.name(), StandardCharsets.UTF_8)).isEqualTo("42");
    }

    @Test
    void shouldFallBackToSaltZeroWhenNoSaltReachesTheHomePartition()
    {
        // "sb/5/acct" < "sb/5/b" <= "sb/5/chk/..." < "sb/5/sav/...": no salt moves a row below the split
        final Partitioner partitioner = RangePartitioner.ofUtf8(List.of("sb/5/b"));
        final SmallBankCustomer split = SmallBankCustomer.placed(5, partitioner);
        assertThat(split).isEqualTo(new SmallBankCustomer(5, 0, 0));
        assertThat(partitioner.partitionOf(split.accountKey())).isZero();
        assertThat(partitioner.partitionOf(split.checkingKey())).isEqualTo(1);
        assertThat(SmallBankCustomer.placed(6, partitioner)).as("a customer above the split")
            .isEqualTo(new SmallBankCustomer(6, 0, 0));
    }

    @Test
    void shouldRoundTripItsEncodingAndRefuseInvalidReferences()
    {
        final SmallBankCustomer c = new SmallBankCustomer(Long.MAX_VALUE, 65_535, 17);
        final ByteBuffer buffer = ByteBuffer.allocate(SmallBankCustomer.ENCODED_BYTES);
        c.encodeTo(buffer);
        assertThat(buffer.remaining()).isZero();
        assertThat(SmallBankCustomer.decodeFrom(buffer.flip())).isEqualTo(c);
        assertThatThrownBy(() -> new SmallBankCustomer(-1, 0, 0)).hasMessage("customer id -1 is negative");
        assertThatThrownBy(() -> new SmallBankCustomer(1, 65_536, 0)).hasMessageContaining("salts (65536, 0)");
    }
}
