package io.ramcast.storage;

import io.ramcast.txn.store.MemoryPartitionStore;
import io.ramcast.txn.store.PartitionStore;

/**
 * The partition store contract over {@link MemoryPartitionStore}.
 */
class MemoryPartitionStoreTest extends AbstractPartitionStoreTest
{
    @Override
    protected PartitionStore newStore()
    {
        return new MemoryPartitionStore();
    }
}
