package io.ramcast.txn.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.JacksonYAMLParseException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the YAML text of a config file into {@link RawConfig} and hands it to
 * {@link ConfigValidator}. Turns every Jackson error (syntax, duplicate key, unknown field, wrong
 * type) into a {@link ConfigException} naming the file, the field path and the line.
 *
 * <p>Stateless; thread-safe.
 */
final class ConfigReader
{
    private static final ObjectMapper MAPPER = newMapper();
    private static final Pattern DUPLICATE_FIELD = Pattern.compile("Duplicate field '([^']*)'");
    private static final Pattern YAML_MARK = Pattern.compile("line (\\d+), column (\\d+)");

    private ConfigReader()
    {
    }

    /**
     * @param yaml       the text of the file.
     * @param sourceName the name used in messages, normally the file path as given.
     * @param baseDir    absolute directory that relative paths in the file resolve against.
     * @return the validated config.
     * @throws ConfigException for any problem.
     */
    static ClusterConfig read(final String yaml, final String sourceName, final Path baseDir) throws ConfigException
    {
        return new ConfigValidator(sourceName, baseDir).validate(parse(yaml, sourceName));
    }

    static RawConfig.RawCluster parse(final String yaml, final String source) throws ConfigException
    {
        try (JsonParser parser = MAPPER.createParser(yaml))
        {
            return bind(parser, yaml, source);
        }
        catch (final IOException e)
        {
            // Only creating or closing a parser over a string gets here; bind reports the rest.
            throw new ConfigException(source + ": cannot read the config: " + e, e);
        }
    }

    /** Binds while the parser is open, so that an error can still look at the offending token. */
    private static RawConfig.RawCluster bind(final JsonParser parser, final String yaml, final String source)
        throws ConfigException
    {
        try
        {
            final JsonToken first = parser.nextToken();
            if (first == null || first == JsonToken.VALUE_NULL)
            {
                throw new ConfigException(List.of(source + ": the file holds no settings; " +
                    "expected a mapping with at least cluster, fabric, partitions and clients"));
            }
            return MAPPER.readValue(parser, RawConfig.RawCluster.class);
        }
        catch (final UnrecognizedPropertyException e)
        {
            throw new ConfigException(source + ": " + path(e.getPath()) + ": unknown field" +
                keyAt(yaml, String.valueOf(e.getPropertyName()), parser, e) +
                "; the fields here are " + knownFields(e), e);
        }
        catch (final MismatchedInputException e)
        {
            if (e.getPath().isEmpty() && String.valueOf(e.getOriginalMessage()).startsWith("Trailing token"))
            {
                throw new ConfigException(source + ": " + lineAndColumn(e.getLocation()) +
                    ": a second YAML document; a config file holds exactly one", e);
            }
            throw new ConfigException(source + ": " + path(e.getPath()) + ": " + offendingValue(e) + at(parser, e) +
                "; expected " + expected(e.getTargetType()), e);
        }
        catch (final JsonMappingException e)
        {
            // Data binding wraps the parser's own errors (duplicate key, number overflow) with the path.
            if (e.getCause() instanceof StreamReadException)
            {
                throw streamProblem(source, path(e.getPath()), (StreamReadException)e.getCause(), parser);
            }
            throw new ConfigException(
                source + ": " + path(e.getPath()) + ": " + firstLine(e.getOriginalMessage()) + at(parser, e), e);
        }
        catch (final StreamReadException e)
        {
            throw streamProblem(source, parserPath(parser), e, parser);
        }
        catch (final IOException e)
        {
            throw new ConfigException(source + ": cannot read the config: " + e, e);
        }
    }

    private static ObjectMapper newMapper()
    {
        final YAMLMapper mapper = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
        // "port: ''" is a mistake, not an absent port.
        mapper.coercionConfigDefaults().setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        return mapper;
    }

    /** Jackson's reference path as {@code partitions[1].replicas[0].port}. */
    static String path(final List<JsonMappingException.Reference> references)
    {
        final StringBuilder sb = new StringBuilder();
        for (final JsonMappingException.Reference reference : references)
        {
            if (reference.getFieldName() != null)
            {
                sb.append(sb.length() == 0 ? "" : ".").append(reference.getFieldName());
            }
            else if (reference.getIndex() >= 0)
            {
                sb.append('[').append(reference.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "(top level)" : sb.toString();
    }

    private static ConfigException streamProblem(
        final String source, final String path, final StreamReadException e, final JsonParser parser)
    {
        if (e instanceof JacksonYAMLParseException syntaxError)
        {
            return new ConfigException(source + ": " + yamlProblemAt(syntaxError) + ": YAML syntax error: " +
                yamlProblem(e.getOriginalMessage()), e);
        }
        final String message = firstLine(e.getOriginalMessage());
        final Matcher duplicate = DUPLICATE_FIELD.matcher(message);
        if (duplicate.lookingAt())
        {
            // Depending on where Jackson notices, the path ends at the repeated key or at its mapping.
            final String name = duplicate.group(1);
            final String field = "(top level)".equals(path) ? name :
                path.equals(name) || path.endsWith("." + name) ? path : path + "." + name;
            return new ConfigException(source + ": " + field + ": given twice" + at(parser, e) +
                "; each field may appear once in a mapping", e);
        }
        if (e instanceof InputCoercionException)
        {
            return new ConfigException(source + ": " + path + ": " + tokenText(parser) + at(parser, e) +
                "; the number is out of range", e);
        }
        return new ConfigException(source + ": " + path + ": " + message + at(parser, e), e);
    }

    /** The parser's position as a field path, for errors raised outside data binding. */
    private static String parserPath(final JsonParser parser)
    {
        final Deque<String> segments = new ArrayDeque<>();
        for (JsonStreamContext context = parser.getParsingContext(); context != null; context = context.getParent())
        {
            if (context.inArray())
            {
                segments.addFirst("[" + Math.max(0, context.getCurrentIndex()) + "]");
            }
            else if (context.inObject() && context.getCurrentName() != null)
            {
                segments.addFirst("." + context.getCurrentName());
            }
        }
        final String path = String.join("", segments);
        return path.isEmpty() ? "(top level)" : path.startsWith(".") ? path.substring(1) : path;
    }

    private static String knownFields(final UnrecognizedPropertyException e)
    {
        final Class<?> type = e.getReferringClass();
        if (type != null && type.isRecord())
        {
            final StringBuilder sb = new StringBuilder();
            for (final RecordComponent component : type.getRecordComponents())
            {
                sb.append(sb.length() == 0 ? "" : ", ").append(component.getName());
            }
            return sb.toString();
        }
        final Collection<Object> known = e.getKnownPropertyIds();
        return known == null ? "(none)" : known.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    private static String offendingValue(final MismatchedInputException e)
    {
        if (e instanceof InvalidFormatException)
        {
            return describe(((InvalidFormatException)e).getValue());
        }
        if (e.getProcessor() instanceof JsonParser)
        {
            return tokenText((JsonParser)e.getProcessor());
        }
        return "a value of the wrong type";
    }

    private static String tokenText(final JsonParser parser)
    {
        final JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT || token == JsonToken.FIELD_NAME)
        {
            return "a mapping";
        }
        if (token == JsonToken.START_ARRAY)
        {
            return "a list";
        }
        if (token != null && token.isScalarValue())
        {
            try
            {
                return token == JsonToken.VALUE_STRING ? "'" + parser.getText() + "'" : parser.getText();
            }
            catch (final IOException e)
            {
                return "a value of the wrong type";
            }
        }
        return "a value of the wrong type";
    }

    private static String describe(final Object value)
    {
        return value instanceof String ? "'" + value + "'" : String.valueOf(value);
    }

    private static String expected(final Class<?> type)
    {
        if (type == null)
        {
            return "another type";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray())
        {
            return "a list";
        }
        if (type == Long.class || type == Integer.class || type == long.class || type == int.class)
        {
            return "a whole number";
        }
        if (type == String.class)
        {
            return "text";
        }
        if (type.isRecord() || Map.class.isAssignableFrom(type))
        {
            return "a mapping";
        }
        return type.getSimpleName();
    }

    /** Where the error is: the start of the offending token while the parser has one, else where Jackson stopped. */
    private static String at(final JsonParser parser, final JsonProcessingException e)
    {
        final JsonLocation location = parser.currentToken() != null ? parser.currentTokenLocation() : e.getLocation();
        return location == null || location.getLineNr() < 1 ? "" : " (" + lineAndColumn(location) + ")";
    }

    /**
     * Where a key is written. Jackson reports an unknown field after it has skipped the value,
     * which for a block mapping is the start of the next line; the key is its last occurrence up to
     * there.
     */
    private static String keyAt(
        final String yaml, final String key, final JsonParser parser, final JsonProcessingException e)
    {
        final JsonLocation location = e.getLocation();
        if (location == null || location.getLineNr() < 1)
        {
            return at(parser, e);
        }
        final Pattern pattern = Pattern.compile("(?:^|[\\s{,\\-])(\"?)" + Pattern.quote(key) + "\\1\\s*:");
        final List<String> lines = yaml.lines().limit(location.getLineNr()).collect(Collectors.toList());
        for (int i = lines.size() - 1; i >= 0; i--)
        {
            final Matcher matcher = pattern.matcher(lines.get(i));
            int column = -1;
            while (matcher.find())
            {
                column = matcher.start(1) + 1;
            }
            if (column > 0)
            {
                return " (line " + (i + 1) + ", column " + column + ")";
            }
        }
        return at(parser, e);
    }

    private static String lineAndColumn(final JsonLocation location)
    {
        return location == null ? "unknown line" : "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /**
     * Where SnakeYAML found the problem: the last position its message names (it names the
     * context first, then the problem); Jackson's own location can lag a line behind.
     */
    private static String yamlProblemAt(final JacksonYAMLParseException e)
    {
        final Matcher matcher = YAML_MARK.matcher(String.valueOf(e.getOriginalMessage()));
        String at = null;
        while (matcher.find())
        {
            at = "line " + matcher.group(1) + ", column " + matcher.group(2);
        }
        return at != null ? at : lineAndColumn(e.getLocation());
    }

    /** SnakeYAML's problem text without its location lines and snippets. */
    private static String yamlProblem(final String message)
    {
        if (message == null)
        {
            return "malformed YAML";
        }
        final String problem = message.lines()
            .filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
            .map(String::strip)
            .collect(Collectors.joining("; "));
        return problem.isEmpty() ? firstLine(message) : problem;
    }

    private static String firstLine(final String message)
    {
        if (message == null)
        {
            return "malformed input";
        }
        final int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
