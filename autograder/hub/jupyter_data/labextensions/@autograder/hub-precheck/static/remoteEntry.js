// "Correção prévia": a JupyterLab panel showing the student's feedback on submit.
//
// Hand-written (no build step) in the shape JupyterLab loads a prebuilt extension in: a module
// federation container `window._JUPYTERLAB[name]` with init(shareScope) and get(module). The
// plugin takes Lumino and JupyterLab classes from the shared scope that JupyterLab hands to
// init(). The panel is an iframe on the hub service `autograder` (same origin, through the
// proxy): the service knows the student from the hub (OAuth) and renders only their results.
(function () {
  "use strict";
  var NAME = "@autograder/hub-precheck";
  var SERVICE = "autograder";
  var scope = null;

  async function shared(pkg) {
    var versions = scope && scope[pkg];
    if (!versions) {
      throw new Error(NAME + ": shared module " + pkg + " not found");
    }
    var keys = Object.keys(versions).sort(function (a, b) {
      return a.localeCompare(b, undefined, { numeric: true });
    });
    var factory = versions[keys[keys.length - 1]].get();
    if (factory && typeof factory.then === "function") {
      factory = await factory;
    }
    return factory();
  }

  async function plugin() {
    var widgets = await shared("@lumino/widgets");
    var coreutils = await shared("@jupyterlab/coreutils");
    var apputils = await shared("@jupyterlab/apputils");
    var mainmenu = await shared("@jupyterlab/mainmenu");

    function serviceUrl() {
      // JupyterHub's single-user servers know the hub's prefix ("/hub/"); services live beside it.
      var hubPrefix = coreutils.PageConfig.getOption("hubPrefix") || "/hub/";
      return hubPrefix.replace(/hub\/?$/, "") + "services/" + SERVICE + "/precheck";
    }

    function createPanel() {
      var panel = new widgets.Widget();
      panel.id = "autograder-precheck";
      panel.title.label = "Correção prévia";
      panel.title.closable = true;
      panel.addClass("autograder-precheck");
      var bar = document.createElement("div");
      bar.style.cssText = "padding:4px 8px;border-bottom:1px solid var(--jp-border-color2);";
      var reload = document.createElement("button");
      reload.textContent = "Atualizar";
      reload.className = "jp-mod-styled autograder-precheck-reload";
      bar.appendChild(reload);
      var frame = document.createElement("iframe");
      frame.src = serviceUrl();
      frame.title = "Correção prévia";
      frame.style.cssText = "border:0;width:100%;height:calc(100% - 34px);background:white;";
      reload.onclick = function () { frame.src = serviceUrl() + "?t=" + Date.now(); };
      panel.node.style.overflow = "hidden";
      panel.node.appendChild(bar);
      panel.node.appendChild(frame);
      return panel;
    }

    return {
      id: NAME + ":plugin",
      description: "Correção prévia: feedback on submit from the course's autograder service",
      autoStart: true,
      optional: [apputils.ICommandPalette, mainmenu.IMainMenu],
      activate: function (app, palette, mainMenu) {
        var command = "autograder-hub:precheck";
        var panel = null;
        app.commands.addCommand(command, {
          label: "Correção prévia",
          caption: "Resultado das verificações ocultas do seu último envio (não é a nota final)",
          execute: function () {
            if (!panel || panel.isDisposed) {
              panel = createPanel();
              app.shell.add(panel, "main");
            } else {
              panel.node.querySelector(".autograder-precheck-reload").click();
            }
            app.shell.activateById(panel.id);
          }
        });
        if (palette) {
          palette.addItem({ command: command, category: "Nbgrader" });
        }
        if (mainMenu) {
          // Beside nbgrader's own items (Assignment List ...) once its menu exists.
          app.restored.then(function () {
            var menu = mainMenu.menus.find(function (m) { return m.id === "jp-mainmenu-nbgrader"; });
            if (menu) {
              menu.addItem({ command: command });
            } else {
              mainMenu.helpMenu.addGroup([{ command: command }], 100);
            }
          });
        }
      }
    };
  }

  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB[NAME] = {
    init: function (shareScope) {
      scope = shareScope;
      return Promise.resolve();
    },
    get: function (module) {
      if (module !== "./extension") {
        return Promise.reject(new Error(NAME + ": no module " + module));
      }
      return plugin().then(function (p) {
        return function () { return { __esModule: true, "default": p }; };
      });
    }
  };
})();
