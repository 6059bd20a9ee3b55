package io.ramcast.bench.load;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Draws a run's time series as one PNG with two panels, one above the other: throughput
 * (operations per second, all types) and latency (p50 and p99 of all types, milliseconds), both
 * over seconds since measuring started, both axes from zero; each point is one second (the last
 * may be shorter).
 * Rendered headless with xchart.
 *
 * <p>Stateless; the AWT headless property is set before the first chart is made.
 */
final class BenchChart
{
    /** Width of the image, pixels. */
    static final int WIDTH = 1000;
    /** Height of each panel, pixels (the image is twice as high). */
    static final int PANEL_HEIGHT = 400;

    private BenchChart()
    {
    }

    /**
     * @param file   the PNG file to write (must end in {@code .png}); parents are created.
     * @param title  the charts' title prefix (workload and setup).
     * @param series the points.
     * @throws IOException if the file cannot be written.
     */
    static void write(final Path file, final String title, final List<OperationStats.SecondSample> series)
        throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final int n = Math.max(1, series.size());
        final double[] seconds = new double[n];
        final double[] throughput = new double[n];
        final double[] p50 = new double[n];
        final double[] p99 = new double[n];
        for (int i = 0; i < series.size(); i++)
        {
            final OperationStats.SecondSample s = series.get(i);
            seconds[i] = s.startSeconds() + s.lengthSeconds();
            throughput[i] = s.all().throughputPerSecond();
            p50[i] = s.all().p50Micros() / 1000.0;
            p99[i] = s.all().p99Micros() / 1000.0;
        }
        final XYChart throughputChart = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT)
            .title(title + ": throughput").xAxisTitle("seconds").yAxisTitle("operations/s").build();
        throughputChart.getStyler().setLegendVisible(false);
        throughputChart.getStyler().setYAxisMin(0.0);
        throughputChart.addSeries("operations/s", seconds, throughput).setMarker(SeriesMarkers.NONE);
        final XYChart latencyChart = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT)
            .title(title + ": latency").xAxisTitle("seconds").yAxisTitle("milliseconds").build();
        latencyChart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        latencyChart.getStyler().setYAxisMin(0.0);
        latencyChart.addSeries("p50", seconds, p50).setMarker(SeriesMarkers.NONE);
        latencyChart.addSeries("p99", seconds, p99).setMarker(SeriesMarkers.NONE);
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        BitmapEncoder.saveBitmap(List.of(throughputChart, latencyChart), 2, 1, file.toString(),
            BitmapEncoder.BitmapFormat.PNG);
    }
}
