package io.i2o2.file.nvme;

import io.netty.buffer.ByteBuf;

/**
 * The SMART / Health Information log page (Log Identifier 02h), controller-wide. Counters are the low 64 bits of
 * the page's 128-bit fields (a device would need 2^64 units to overflow them).
 *
 * @param criticalWarning     critical warning bits (0: none; bit 0 spare low, 1 temperature, 2 reliability,
 *                            3 read-only, 4 volatile backup failed, 5 persistent memory read-only)
 * @param temperatureKelvin   composite temperature, in kelvin
 * @param availableSparePct   available spare, percent
 * @param spareThresholdPct   the spare threshold below which bit 0 of the warning is set, percent
 * @param percentageUsed      estimate of the life used, percent (may exceed 100)
 * @param dataUnitsRead       data read, in units of 1000 512-byte blocks
 * @param dataUnitsWritten    data written, in units of 1000 512-byte blocks
 * @param hostReadCommands    read commands completed
 * @param hostWriteCommands   write commands completed
 * @param powerCycles         power cycles
 * @param powerOnHours        power-on hours
 * @param unsafeShutdowns     unsafe shutdowns
 * @param mediaErrors         unrecovered data integrity errors
 * @param errorLogEntries     error information log entries over the controller's life
 */
public record NvmeSmartLog(int criticalWarning, int temperatureKelvin, int availableSparePct, int spareThresholdPct,
                           int percentageUsed, long dataUnitsRead, long dataUnitsWritten, long hostReadCommands,
                           long hostWriteCommands, long powerCycles, long powerOnHours, long unsafeShutdowns,
                           long mediaErrors, long errorLogEntries) {
    /** The page's size. */
    public static final int SIZE = 512;

    static NvmeSmartLog parse(ByteBuf page) {
        return new NvmeSmartLog(page.getUnsignedByte(0), page.getUnsignedShortLE(1), page.getUnsignedByte(3),
                page.getUnsignedByte(4), page.getUnsignedByte(5), page.getLongLE(32), page.getLongLE(48),
                page.getLongLE(64), page.getLongLE(80), page.getLongLE(112), page.getLongLE(128), page.getLongLE(144),
                page.getLongLE(160), page.getLongLE(176));
    }

    /**
     * The composite temperature in degrees Celsius.
     *
     * @return {@link #temperatureKelvin()} minus 273
     */
    public int temperatureCelsius() {
        return temperatureKelvin - 273;
    }
}
