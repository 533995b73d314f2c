package io.i2o2.file.nvme;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NvmeSysfs} on fake sysfs trees laid out as the kernel lays them out. */
class NvmeSysfsTest {
    @TempDir
    Path sys;

    private Path dir(String path) throws Exception {
        return Files.createDirectories(sys.resolve(path));
    }

    @Test
    void aPerControllerNodeLinksToItsController() throws Exception {
        Path ctrl = dir("devices/virtual/nvme/nvme3");
        Files.createSymbolicLink(dir("class/nvme-generic/ng0n2").resolve("device"), ctrl);
        Files.writeString(dir("block/nvme0n2").resolve("nsid"), "2\n");
        assertEquals(Optional.of(new NvmeSysfs(Path.of("/dev/nvme3"), 2)),
                NvmeSysfs.locate(sys, Path.of("/dev/ng0n2")), "the name says nvme0, sysfs says nvme3");
    }

    @Test
    void aMultipathHeadNodeLinksToItsSubsystemWhoseFirstControllerIsUsed() throws Exception {
        Path subsys = dir("devices/virtual/nvme-subsystem/nvme-subsys0");
        dir("devices/virtual/nvme-subsystem/nvme-subsys0/nvme11");
        dir("devices/virtual/nvme-subsystem/nvme-subsys0/nvme2");
        dir("devices/virtual/nvme-subsystem/nvme-subsys0/power");
        Files.createSymbolicLink(dir("class/nvme-generic/ng0n1").resolve("device"), subsys);
        Files.writeString(dir("block/nvme0n1").resolve("nsid"), "7");
        assertEquals(Optional.of(new NvmeSysfs(Path.of("/dev/nvme2"), 7)),
                NvmeSysfs.locate(sys, Path.of("/dev/ng0n1")));
    }

    @Test
    void nothingInSysfsIsEmpty() {
        assertTrue(NvmeSysfs.locate(sys, Path.of("/dev/ng0n1")).isEmpty());
        assertTrue(NvmeSysfs.locate(sys, Path.of("/dev/sda")).isEmpty());
    }
}
