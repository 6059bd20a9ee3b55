package io.ramcast.bench.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationConverterTest
{
    @Test
    void shouldParseANumberWithAUnit()
    {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationConverter.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(DurationConverter.parse("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void shouldRefuseTextWithoutAUnitOrNegative()
    {
        for (final String bad : new String[] {"10", "ten", "-1s", "PT-1S", "1d"})
        {
            assertThatThrownBy(() -> DurationConverter.parse(bad))
                .as(bad)
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("is not a duration");
        }
    }

    @Test
    void shouldFormatWhatItParses()
    {
        assertThat(DurationConverter.format(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(DurationConverter.format(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(DurationConverter.parse(DurationConverter.format(Duration.ofMillis(2500)))).isEqualTo(Duration.ofMillis(2500));
    }
}
