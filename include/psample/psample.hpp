// psample-cpp: everything a user needs, in one include.
#pragma once

#include "psample/bytes.hpp"
#include "psample/decode.hpp"
#include "psample/error.hpp"
#include "psample/group_info.hpp"
#include "psample/netlink/attribute.hpp"
#include "psample/netlink/genl_controller.hpp"
#include "psample/netlink/message.hpp"
#include "psample/netlink/request_builder.hpp"
#include "psample/netlink/socket.hpp"
#include "psample/packet.hpp"
#include "psample/packet_view.hpp"
#include "psample/protocol.hpp"
#include "psample/receiver.hpp"
#include "psample/result.hpp"
#include "psample/tunnel_view.hpp"
