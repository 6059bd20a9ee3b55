package io.ramcast.bench.multicast;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DestinationChooserTest
{
    @Test
    void shouldPickAFixedNumberOfDistinctKnownGroups()
    {
        final DestinationChooser chooser = new DestinationChooser(1, 5, 3, false);
        for (int i = 0; i < 1000; i++)
        {
            final int[] groups = chooser.next();
            assertThat(groups).hasSize(3).doesNotHaveDuplicates();
            assertThat(Arrays.stream(groups).allMatch(g -> g >= 0 && g < 5)).as(Arrays.toString(groups)).isTrue();
        }
    }

    @Test
    void shouldPickEverySizeAndEveryGroupWhenRandom()
    {
        final DestinationChooser chooser = new DestinationChooser(2, 3, 3, true);
        final Set<Integer> sizes = new HashSet<>();
        final Set<Integer> groups = new HashSet<>();
        for (int i = 0; i < 1000; i++)
        {
            final int[] destinations = chooser.next();
            assertThat(destinations).doesNotHaveDuplicates();
            sizes.add(destinations.length);
            Arrays.stream(destinations).forEach(groups::add);
        }
        assertThat(sizes).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(groups).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void shouldRepeatItsChoicesForTheSameSeed()
    {
        final DestinationChooser a = new DestinationChooser(42, 4, 4, true);
        final DestinationChooser b = new DestinationChooser(42, 4, 4, true);
        for (int i = 0; i < 100; i++)
        {
            assertThat(a.next()).containsExactly(b.next());
        }
    }

    @Test
    void shouldRefuseMoreDestinationsThanGroups()
    {
        assertThatThrownBy(() -> new DestinationChooser(1, 3, 4, false))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("maxDestinations=4");
    }
}
