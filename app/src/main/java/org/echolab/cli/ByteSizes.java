package org.echolab.cli;

import org.echolab.protocol.Sizes;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters for the size options: {@code 2m}, {@code 64KiB}, {@code 512B} or {@code 0} ({@link Sizes}). */
final class ByteSizes {

    private ByteSizes() {}

    /** A size for a {@code long} option. */
    static final class AsLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Sizes.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A size for an {@code int} option: at most 2 GiB less a byte. */
    static final class AsInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return (int) Sizes.parse(value, Integer.MAX_VALUE);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
