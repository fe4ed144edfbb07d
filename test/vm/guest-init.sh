#!/bin/sh
# /init of the psample-cpp test VM (see vm.sh). Runs /command, then reports
# /out and the exit status over the second serial port and powers off.
export PATH=/opt/bin:/sbin:/bin
export PSAMPLE_VM_MODULES=/modules
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
for m in psample act_sample cls_matchall sch_ingress veth nlmon; do
  insmod /modules/$m.ko || echo "guest: insmod $m failed"
done
# vm.sh --module: dependencies first.
if [ -f /modules/extra/order ]; then
  for m in $(cat /modules/extra/order); do
    insmod /modules/extra/$m.ko || echo "guest: insmod $m failed"
  done
fi
ip link set lo up
stty -F /dev/ttyS1 raw -echo 2>/dev/null
echo PSAMPLE-VM-STARTED >/dev/ttyS1  # booted: from here on a crash is the command's
cd /out
{ /command; echo $? >/tmp/status; } 2>&1 | tee /out/console.log
status=$(cat /tmp/status 2>/dev/null || echo 126)
{
  echo PSAMPLE-VM-BEGIN
  tar -C /out -cf - . | base64
  echo "PSAMPLE-VM-STATUS $status"
  echo PSAMPLE-VM-END
} >/dev/ttyS1
sync
reboot -f
