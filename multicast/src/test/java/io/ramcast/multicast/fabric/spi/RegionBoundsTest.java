package io.ramcast.multicast.fabric.spi;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RegionBoundsTest
{
    @Test
    void shouldAcceptAlignedWritesThatFit()
    {
        assertThatCode(() -> RegionBounds.checkWrite(64, 0, 64)).doesNotThrowAnyException();
        assertThatCode(() -> RegionBounds.checkWrite(64, 56, 8)).doesNotThrowAnyException();
    }

    @Test
    void shouldRefuseWritesPastTheEndOfTheRegion()
    {
        assertThatThrownBy(() -> RegionBounds.checkWrite(64, 56, 16))
            .isInstanceOf(IndexOutOfBoundsException.class)
            .hasMessage("write offset=56 length=16 exceeds region sizeBytes=64");
        assertThatThrownBy(() -> RegionBounds.checkWrite(64, 64, 8)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void shouldNotLetOffsetPlusLengthOverflowPastTheCheck()
    {
        final int largestAlignedOffset = Integer.MAX_VALUE - 7;

        assertThatThrownBy(() -> RegionBounds.checkWrite(64, largestAlignedOffset, 16))
            .isInstanceOf(IndexOutOfBoundsException.class)
            .hasMessageContaining("exceeds region sizeBytes=64");
    }

    @Test
    void shouldRefuseMisalignedNegativeOrEmptyWrites()
    {
        assertThatThrownBy(() -> RegionBounds.checkWrite(64, 4, 8))
            .isInstanceOf(IndexOutOfBoundsException.class).hasMessage("write offset=4 must be a non-negative multiple of 8");
        assertThatThrownBy(() -> RegionBounds.checkWrite(64, -8, 8))
            .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("offset=-8");
        assertThatThrownBy(() -> RegionBounds.checkWrite(64, 0, 12))
            .isInstanceOf(IndexOutOfBoundsException.class).hasMessage("write length=12 must be a positive multiple of 8");
        assertThatThrownBy(() -> RegionBounds.checkWrite(64, 0, 0))
            .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("length=0");
        assertThatThrownBy(() -> RegionBounds.checkWrite(64, 0, -8))
            .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("length=-8");
    }

    @Test
    void shouldCheckOnlyAlignmentWhileTheRegionSizeIsUnknown()
    {
        assertThatCode(() -> RegionBounds.checkWrite(RegionBounds.UNKNOWN_SIZE_BYTES, 1 << 20, 8))
            .doesNotThrowAnyException();
        assertThatThrownBy(() -> RegionBounds.checkWrite(RegionBounds.UNKNOWN_SIZE_BYTES, 4, 8))
            .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> RegionBounds.checkAlignment(0, 7)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatCode(() -> RegionBounds.checkAlignment(8, 8)).doesNotThrowAnyException();
    }

    @Test
    void shouldRefuseRegistrationsWithNegativeIdOrBadSize()
    {
        assertThatCode(() -> RegionBounds.checkRegistration(0, 8)).doesNotThrowAnyException();
        assertThatThrownBy(() -> RegionBounds.checkRegistration(-1, 8))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("regionId=-1 must be >= 0");
        assertThatThrownBy(() -> RegionBounds.checkRegistration(3, 12))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("sizeBytes=12 of region 3 must be a positive multiple of 8");
        assertThatThrownBy(() -> RegionBounds.checkRegistration(3, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RegionBounds.checkRegistration(3, -8)).isInstanceOf(IllegalArgumentException.class);
    }
}
