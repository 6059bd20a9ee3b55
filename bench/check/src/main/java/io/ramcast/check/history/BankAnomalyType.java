package io.ramcast.check.history;

import io.ramcast.check.AnomalyKind;

/** The kinds of violation {@link BankChecker} reports, for an ok read or for the final state. */
public enum BankAnomalyType implements AnomalyKind
{
    /** The balances add up to another total than the initial one (money created, lost, or a torn read). */
    WRONG_TOTAL,
    /** An account has a negative balance. */
    NEGATIVE_BALANCE,
    /** An account of the bank is absent, so the total over all accounts was not seen. */
    MISSING_ACCOUNT,
    /** An account that is not part of the bank appears. */
    UNKNOWN_ACCOUNT
}
