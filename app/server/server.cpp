#include "app/server/server.h"

#include <csignal>
#include <ctime>
#include <filesystem>
#include <stdexcept>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "app/server/http_session.h"
#include "app/server/server_state.h"
#include "build_info.h"
#include "engine/model/model.h"
#include "engine/runtime/session.h"
#include "engine/tokenizer/tokenizer.h"

namespace bench::server {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

ServerInfo describe(const tern::Model& model, const ServeOptions& opts, int64_t n_ctx) {
    ServerInfo i;
    i.model_path = opts.model_path;
    i.model_alias = std::filesystem::path(opts.model_path).filename().string();
    i.build_info = std::string("ternbench-") + TERNBENCH_VERSION + "-" + TERNBENCH_GIT_COMMIT;
    const auto& info = model.info();
    i.ftype = info.ternary_type;
    const auto& vocab = model.tokenizer().vocab();
    const auto piece = [&](std::optional<int32_t> id) {
        return id && *id >= 0 && static_cast<size_t>(*id) < vocab.tokens.size() ? vocab.tokens[static_cast<size_t>(*id)]
                                                                                 : std::string();
    };
    i.bos_token = piece(vocab.bos_id);
    i.eos_token = piece(vocab.eos_id);
    i.total_slots = opts.parallel;
    i.n_ctx = n_ctx;
    i.n_ctx_train = model.hparams().n_ctx_train;
    i.n_embd = model.hparams().n_embd;
    i.n_vocab = model.tokenizer().n_vocab();
    i.n_params = info.n_params;
    i.size_bytes = info.file_bytes;
    i.created = static_cast<int64_t>(std::time(nullptr));
    return i;
}

}  // namespace

struct Server::Impl {
    net::io_context io{1};
    tcp::acceptor acceptor{io};
    net::signal_set signals{io};
    ServerState state;
    tcp::endpoint bound;
    std::atomic<int> signal_number{0};

    Impl(std::shared_ptr<const tern::Model> model, ServeOptions opts) : state(io, std::move(model), std::move(opts)) {
        auto& o = state.opts;
        if (o.parallel < 1) throw std::invalid_argument("--parallel must be >= 1");
        if (o.max_queue < 0) throw std::invalid_argument("--max-queue must be >= 0");
        const int64_t n_ctx = tern::default_context(state.model->hparams(), o.n_ctx);
        state.info = describe(*state.model, o, n_ctx);
        tern::SchedulerOptions so;
        so.max_batch = o.parallel;
        so.n_ctx = n_ctx;
        so.threads = o.threads;
        so.kv_f16 = o.kv_f16;
        state.scheduler = std::make_unique<tern::Scheduler>(state.model, so);
        listen();
    }

    void listen() {
        const auto& o = state.opts;
        const std::string where = o.host + ":" + std::to_string(o.port);
        boost::system::error_code ec;
        tcp::resolver resolver(io);
        const auto endpoints = resolver.resolve(o.host, std::to_string(o.port), tcp::resolver::passive, ec);
        if (ec || endpoints.empty()) throw std::runtime_error("cannot resolve host " + o.host + ": " + ec.message());
        const tcp::endpoint ep = endpoints.begin()->endpoint();
        acceptor.open(ep.protocol(), ec);
        if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
        if (!ec) acceptor.bind(ep, ec);
        if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
        if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
        bound = acceptor.local_endpoint();
    }

    void accept() {
        acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
            if (!acceptor.is_open()) return;
            if (!ec) {
                boost::system::error_code ignored;
                socket.set_option(tcp::no_delay(true), ignored);  // token events go out at once
                auto session = std::make_shared<HttpSession>(std::move(socket), state);
                std::erase_if(state.sessions, [](const auto& w) { return w.expired(); });
                state.sessions.push_back(session);
                session->start();
            }
            accept();
        });
    }

    void shutdown() {
        if (state.shutting_down) return;
        state.shutting_down = true;
        boost::system::error_code ec;
        acceptor.close(ec);
        signals.cancel(ec);
        signals.clear(ec);  // a second Ctrl-C gets the default action
        state.scheduler->cancel_all();
        for (auto& w : state.sessions)
            if (auto s = w.lock()) s->on_shutdown();
    }
};

Server::Server(std::shared_ptr<const tern::Model> model, ServeOptions opts)
    : impl_(std::make_unique<Impl>(std::move(model), std::move(opts))) {}

Server::~Server() = default;

std::string Server::host() const { return impl_->bound.address().to_string(); }
uint16_t Server::port() const { return impl_->bound.port(); }

void Server::stop_on_signals() {
    impl_->signals.add(SIGINT);
    impl_->signals.add(SIGTERM);
    impl_->signals.async_wait([this](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        impl_->signal_number = sig;
        impl_->shutdown();
    });
}

int Server::run() {
    impl_->accept();
    impl_->io.run();
    impl_->state.scheduler->wait_idle();
    return impl_->signal_number;
}

void Server::stop() {
    net::post(impl_->io, [this] { impl_->shutdown(); });
}

const ServeStats& Server::stats() const { return impl_->state.stats; }
size_t Server::in_flight() const { return impl_->state.scheduler->in_flight(); }

}  // namespace bench::server
